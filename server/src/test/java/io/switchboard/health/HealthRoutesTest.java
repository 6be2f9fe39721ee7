package io.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Liveness and readiness against a real server. Readiness is checked against a database that really goes away: an
 * H2 TCP server in this JVM that the test stops and starts again on the same port.
 */
@Timeout(90)
class HealthRoutesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path h2BaseDir;

    private TestServer server;
    private Server h2;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (h2 != null) h2.stop();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsClient.JSON.readTree(r.body());
    }

    private static String h2Url(int port) {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/switchboard";
    }

    private Server startH2(int port) throws SQLException {
        // No -tcpAllowOthers: loopback connections only.
        return Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists", "-baseDir", h2BaseDir.toString()).start();
    }

    @Test
    void healthAnswersUpWithoutAuthentication() throws Exception {
        server = TestServer.start();
        HttpResponse<String> r = server.get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("UP", json(r).path("status").asText());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    }

    @Test
    void readyAnswersReadyWhileTheEmbeddedDatabaseAnswers() throws Exception {
        server = TestServer.start();
        HttpResponse<String> r = server.get("/ready");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("READY", json(r).path("status").asText());
    }

    @Test
    void readyTurns503WhenTheDatabaseGoesAwayAnd200WhenItComesBack() throws Exception {
        h2 = startH2(0);
        int port = h2.getPort();
        server = TestServer.start(Map.of(
                "db.url", h2Url(port),
                "db.user", "sa"));
        assertEquals("H2", server.server().database().kind());

        HttpResponse<String> up = server.get("/ready");
        assertEquals(200, up.statusCode(), up.body());

        h2.stop();
        Await.until("/ready to answer 503 with the database stopped", DEADLINE, () -> server.get("/ready").statusCode() == 503);
        HttpResponse<String> down = server.get("/ready");
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("NOT_READY", json(down).path("status").asText());
        assertEquals(200, server.get("/health").statusCode(), "liveness does not depend on the database");

        h2 = startH2(port);
        try (Connection direct = DriverManager.getConnection(h2Url(port), "sa", "")) {
            assertTrue(direct.isValid(2), "precondition: the restarted H2 server answers a fresh connection");
        }
        // Await polls far faster than Hikari's 500 ms alive-check bypass, as several busy probes would.
        Await.until("/ready to answer 200 with the database back", DEADLINE, () -> server.get("/ready").statusCode() == 200);
        assertEquals("READY", json(server.get("/ready")).path("status").asText());
    }
}
