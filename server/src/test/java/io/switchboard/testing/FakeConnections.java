package io.switchboard.testing;

import io.switchboard.auth.ClientPrincipal;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Limits;
import io.switchboard.metrics.Metrics;
import java.util.function.Consumer;

/**
 * Connections backed by {@link FakePeer}s: many more than a test could open as sockets (the open-files limit), made
 * with the real {@link Connection} class and, when a hub is given, registered in it the way a socket's connection is.
 */
public final class FakeConnections {
    /** Limits high enough that a test's own connections never trip them. */
    public static final Limits LIMITS = new Limits(65536, 4000, 1000, 1000, 100, 1_000_000, 1_000_000, 1000, 1000, 100, true);
    private static final Metrics METRICS = new Metrics();

    private FakeConnections() {}

    /** A connection that is not registered anywhere; closing it runs {@code onClosed}. */
    public static Connection create(String id, String user, String name, String address, String userAgent, long connectedAt,
                                    FakePeer peer, Consumer<Connection> onClosed) {
        return create(id, user, name, address, userAgent, connectedAt, peer, METRICS, onClosed);
    }

    private static Connection create(String id, String user, String name, String address, String userAgent, long connectedAt,
                                     FakePeer peer, Metrics metrics, Consumer<Connection> onClosed) {
        ClientPrincipal principal = new ClientPrincipal(user, name, null, Long.MAX_VALUE, Long.MAX_VALUE);
        return new Connection(id, principal, address, userAgent, connectedAt, peer, LIMITS, metrics, onClosed);
    }

    /**
     * Registers a fake connection in a running server's hub, as the socket layer registers a real one (its limits
     * apply: raise limit.connections.per.ip / per.user in the server's settings). Closing or kicking it removes it.
     *
     * @return the connection, or null when the hub refused it
     */
    public static Connection admit(Hub hub, Metrics metrics, String id, String user, String name, String address, String userAgent) {
        Connection c = create(id, user, name, address, userAgent, System.currentTimeMillis(), new FakePeer(), metrics, hub::remove);
        return hub.admit(c) == Hub.Admission.ADMITTED ? c : null;
    }
}
