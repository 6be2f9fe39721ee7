package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A database outage loses nothing: unsent messages are refused with a retryable error and seq stays gap-free. */
@Timeout(90)
class DatabaseOutageTest {

    private static Server database(Path dir, int port) throws Exception {
        return Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(), "-ifNotExists").start();
    }

    @Test
    void messagesSentDuringAnOutageAreRefusedAndARetryAfterwardsGetsTheNextSeq() throws Exception {
        Path dir = Files.createTempDirectory("switchboard-h2");
        Server db = database(dir, 0);
        int port = db.getPort();
        try (TestServer server = TestServer.start(Map.of("db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/chat", "db.user", "sa"));
             WsClient c = WsClient.connected(server.ws(server.token("steady")))) {
            c.send("type", "join", "room", "outage", "id", "j");
            c.await("joined");
            c.send("type", "send", "room", "outage", "id", "m1", "text", "before");
            assertEquals(1, c.await("ack").get("seq").asLong());

            db.stop();
            c.send("type", "send", "room", "outage", "id", "m2", "text", "during");
            JsonNode refused = c.await(f -> "error".equals(f.path("type").asText()), Duration.ofSeconds(30), "refusal");
            assertEquals("unavailable", refused.get("code").asText());
            assertEquals("m2", refused.get("id").asText());

            db = database(dir, port);
            JsonNode ack = null;
            for (int attempt = 0; attempt < 50 && ack == null; attempt++) { // a client's retry loop
                c.send("type", "send", "room", "outage", "id", "m2", "text", "during");
                JsonNode answer = c.await(f -> "m2".equals(f.path("id").asText())
                        && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())),
                        Duration.ofSeconds(30), "answer to the retry");
                if ("ack".equals(answer.get("type").asText())) ack = answer;
            }
            assertEquals(2, ack.get("seq").asLong(), "no seq was lost to the failed write");
            c.send("type", "send", "room", "outage", "id", "m3", "text", "after");
            assertEquals(3, c.await(f -> "ack".equals(f.path("type").asText()) && "m3".equals(f.path("id").asText()),
                    "ack m3").get("seq").asLong());
        } finally {
            db.stop();
        }
    }
}
