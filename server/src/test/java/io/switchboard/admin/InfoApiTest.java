package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /api/v1/info identifies the server and shows its configuration without any secret. */
@Timeout(60)
class InfoApiTest {
    private static final String ADMIN_TOKEN = "configured-admin-token-0123456789abcdef";
    private static final String VIEWER_TOKEN = "configured-viewer-token-0123456789abcdef";
    private static final String JWT_SECRET = "configured-jwt-secret-0123456789abcdefghij";
    private static final String METRICS_TOKEN = "configured-metrics-token-0123456789abcd";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("admin.token", ADMIN_TOKEN, "admin.tokens", "grafana:viewer:" + VIEWER_TOKEN,
                "jwt.secret", JWT_SECRET, "metrics.token", METRICS_TOKEN));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void infoNamesVersionNodeUptimeDatabaseAndConfig() {
        JsonNode info = new AdminClient(server, ADMIN_TOKEN).get("/api/v1/info").expect(200);
        assertFalse(info.path("version").asText().isEmpty(), info.toString());
        assertEquals(server.server().installationId(), info.path("node").asText(), info.toString());
        assertTrue(info.path("uptimeSeconds").isIntegralNumber() && info.path("uptimeSeconds").asLong() >= 0, info.toString());
        assertEquals("H2", info.path("database").asText(), info.toString());
        JsonNode config = info.path("config");
        assertTrue(config.isObject(), info.toString());
        assertEquals("true", config.path("rooms.autocreate").asText(), config.toString());
        assertEquals("127.0.0.1", config.path("host").asText(), config.toString());
        assertEquals("200", config.path("history.page.max").asText(), config.toString());
    }

    @Test
    void aSingleNodeListsItselfAsTheNodeThatAnsweredAndCountsItselfInTheClusterTotals() {
        JsonNode nodes = new AdminClient(server, VIEWER_TOKEN).get("/api/v1/nodes").expect(200);
        String id = server.server().node().id();
        assertEquals(id, nodes.path("node").asText(), nodes.toString());
        assertEquals(1, nodes.path("items").size(), nodes.toString());
        JsonNode self = nodes.path("items").get(0);
        assertEquals(id, self.path("id").asText());
        assertEquals("127.0.0.1:" + server.port(), self.path("address").asText(), self.toString());
        assertTrue(self.path("ready").asBoolean(), self.toString());
        assertFalse(self.path("draining").asBoolean(), self.toString());

        JsonNode info = new AdminClient(server, VIEWER_TOKEN).get("/api/v1/info").expect(200);
        assertEquals(id, info.path("nodeId").asText(), info.toString());
        assertEquals(1, info.path("cluster").path("nodes").asInt(), info.toString());
        assertEquals(0, info.path("cluster").path("draining").asInt(), info.toString());
        assertEquals(server.server().hub().connectionCount(), info.path("cluster").path("connections").asInt(), info.toString());
    }

    @Test
    void theConfigShowsThatSecretsAreSetButNeverTheirValues() {
        String body = new AdminClient(server, VIEWER_TOKEN).get("/api/v1/info").body();
        for (String secret : List.of(ADMIN_TOKEN, VIEWER_TOKEN, JWT_SECRET, METRICS_TOKEN)) {
            assertFalse(body.contains(secret), "a secret value is in /api/v1/info");
        }
        JsonNode config = new AdminClient(server, ADMIN_TOKEN).get("/api/v1/info").expect(200).path("config");
        for (String key : List.of("admin.token", "admin.tokens", "jwt.secret", "metrics.token")) {
            assertEquals("(set)", config.path(key).asText(), key + " in " + config);
        }
    }

    @Test
    void aPasswordInsideTheJdbcUrlIsNotShown() throws Exception {
        String password = "url-db-password-0123456789";
        Path dir = Files.createTempDirectory("switchboard-info");
        String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";PASSWORD=" + password;
        try (TestServer withUrl = TestServer.start(dir, Map.of("db.url", url, "db.user", "sa", "db.password", password))) {
            AdminClient.Reply info = AdminClient.admin(withUrl).get("/api/v1/info");
            info.expect(200);
            assertFalse(info.body().contains(password), "the database password leaks through db.url: "
                    + info.json().path("config").path("db.url").asText());
        }
    }
}
