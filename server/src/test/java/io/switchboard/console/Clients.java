package io.switchboard.console;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real chat clients for the console tests. Closing it closes every client it opened and waits until the server has
 * dropped them, so that the next test starts from an empty connections table.
 */
final class Clients implements AutoCloseable {

    /** A connected client and the connection id from its welcome frame. */
    record Client(WsClient ws, String id) {}

    private final TestServer server;
    private final List<WsClient> opened = new ArrayList<>();

    Clients(TestServer server) {
        this.server = server;
    }

    /** Connects as this user (display name optional) and waits for the welcome, so the server has registered it. */
    Client connect(String user, String name) {
        return connect(user, name, Map.of());
    }

    /** Connects with extra upgrade headers (e.g. a User-Agent). */
    Client connect(String user, String name, Map<String, String> headers) {
        WsClient ws = WsClient.connect(server.ws(server.token(user, name, null)), headers);
        opened.add(ws);
        String id = ws.await("welcome").path("connectionId").asText();
        return new Client(ws, id);
    }

    static void join(WsClient ws, String room) {
        ws.join(room);
    }

    /** Sends a room message and returns its seq from the ack. */
    static long say(WsClient ws, String room, String text) {
        return ws.say(room, text);
    }

    /** A ping answered by a pong: the connection is open and everything queued before it has arrived. */
    static void roundTrip(WsClient ws) {
        ws.roundTrip();
    }

    @Override
    public void close() {
        opened.forEach(WsClient::close);
        opened.clear();
        Await.until("the server to drop every test connection", Duration.ofSeconds(10),
                () -> server.server().hub().connectionCount() == 0);
    }
}
