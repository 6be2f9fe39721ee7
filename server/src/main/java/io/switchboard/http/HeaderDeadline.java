package io.switchboard.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops HTTP/1.1 connections whose request headers do not arrive within a deadline, so that a client trickling its
 * headers a byte at a time (slowloris) cannot hold a connection, and its buffers, for as long as it keeps trickling:
 * Jetty's idle timeout restarts on every byte, and Jetty 12 has no header-read timeout of its own.
 *
 * <p>The clock starts when the connection opens (for its first request) or when the first byte of a later request on
 * a kept-alive connection is seen; it stops when the headers are complete. Waiting between requests is left to the
 * connector's idle timeout. Registered as a {@link Connection.Listener} on the connector; {@link #sweep()} runs
 * every {@link #sweepPeriod()} from one timer thread, so there is no timer per connection. WebSocket connections
 * leave the watch list at their upgrade.
 */
public final class HeaderDeadline implements Connection.Listener {
    private static final Logger log = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutNanos;
    private final Duration sweepPeriod;
    private final Map<HttpConnection, Watch> watched = new ConcurrentHashMap<>();

    /** Sweep-thread state of one connection (created on the opening thread, published by the map). */
    private static final class Watch {
        long requestsSeen;
        /** System.nanoTime() when the current wait for headers began; -1 when not waiting for headers. */
        long since;

        Watch(long requestsSeen, long since) {
            this.requestsSeen = requestsSeen;
            this.since = since;
        }
    }

    /** @param timeout how long a request's headers may take to arrive; the sweep runs every quarter of it, at most 1 s */
    public HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.sweepPeriod = Duration.ofMillis(Math.max(50, Math.min(1000, timeout.toMillis() / 4)));
    }

    /** How often {@link #sweep()} should run; a slow connection is dropped at most this long after the deadline. */
    public Duration sweepPeriod() {
        return sweepPeriod;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            watched.put(http, new Watch(http.getMessagesIn(), System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection http) watched.remove(http);
    }

    /** Connections currently watched (HTTP/1.1 connections not yet closed or upgraded). */
    public int watched() {
        return watched.size();
    }

    /** Closes every connection whose current request's headers are overdue. Timer thread only. */
    public void sweep() {
        long now = System.nanoTime();
        for (var it = watched.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            HttpConnection http = e.getKey();
            Watch w = e.getValue();
            if (!http.getEndPoint().isOpen() || http.getEndPoint().getConnection() != http) {
                it.remove(); // closed, or upgraded to a WebSocket
                continue;
            }
            long requests = http.getMessagesIn();
            HttpParser parser = http.getParser();
            // The first request is awaited from the open; a later one from its first byte (the parser leaves START).
            boolean awaitingHeaders = parser.inHeaderState() && (requests == 0 || !parser.isStart());
            if (requests != w.requestsSeen) {
                w.requestsSeen = requests;
                w.since = awaitingHeaders ? now : -1;
            } else if (!awaitingHeaders) {
                w.since = -1;
            } else if (w.since < 0) {
                w.since = now;
            } else if (now - w.since > timeoutNanos) {
                it.remove();
                log.debug("Dropping {}: request headers not complete within the header timeout",
                        http.getEndPoint().getRemoteSocketAddress());
                http.getEndPoint().close();
            }
        }
    }
}
