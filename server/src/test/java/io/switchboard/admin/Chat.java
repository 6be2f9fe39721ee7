package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Real chat clients for the admin tests. Tracks what it opened so that each test can close everything and wait
 * until the server has forgotten those connections, keeping counts exact for the next test.
 */
final class Chat implements AutoCloseable {
    private final TestServer server;
    private final List<WsClient> opened = new ArrayList<>();

    Chat(TestServer server) {
        this.server = server;
    }

    /** A connection of this user that has received its welcome. */
    WsClient connect(String user) {
        return track(WsClient.connected(server.ws(server.token(user))));
    }

    /** A connection of this user joined to each room. */
    WsClient member(String user, String... rooms) {
        WsClient c = connect(user);
        for (String room : rooms) join(c, room);
        return c;
    }

    WsClient track(WsClient c) {
        opened.add(c);
        return c;
    }

    static JsonNode join(WsClient c, String room) {
        JsonNode joined = c.join(room);
        assertEquals(room, joined.path("room").asText());
        return joined;
    }

    /** Sends a room message and returns its seq from the ack. */
    static long say(WsClient c, String room, String text) {
        return c.say(room, text);
    }

    /** A ping answered by a pong: everything queued for the connection before it has arrived. */
    static void roundTrip(WsClient c) {
        c.roundTrip();
    }

    /** After a round trip, asserts that no frame of this type was received and the connection is still open. */
    static void assertUntouched(WsClient c, String... types) {
        roundTrip(c);
        List<JsonNode> frames = c.drain(Duration.ZERO);
        for (String type : types) {
            assertTrue(frames.stream().noneMatch(f -> type.equals(f.path("type").asText())),
                    "unexpected " + type + " frame among " + frames);
        }
        assertTrue(c.isOpen(), "connection still open");
    }

    /** Closes every client opened here and waits until the server holds no connection. */
    @Override
    public void close() {
        opened.forEach(WsClient::close);
        opened.clear();
        Await.until("the server to drop every test connection", Duration.ofSeconds(10),
                () -> server.server().hub().connectionCount() == 0);
    }
}
