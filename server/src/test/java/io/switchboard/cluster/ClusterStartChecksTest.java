package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardProcess;
import io.switchboard.auth.Secrets;
import io.switchboard.config.ConfigException;
import io.switchboard.testing.Await;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.Ports;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which nodes may share a database, decided at start on a real PostgreSQL: one single node alone, or any number of
 * cluster nodes (redis.url set), never a mix; a cluster on the embedded H2 is refused. And a cluster node's
 * readiness follows Redis: a node starts without it, says so in /ready, and becomes ready when Redis comes.
 */
@Timeout(180)
class ClusterStartChecksTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static Postgres pg;
    private static RedisServer redis;
    private final List<TestServer> servers = new ArrayList<>();

    @BeforeAll
    static void startDatabaseAndRedis() {
        pg = Postgres.start();
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopDatabaseAndRedis() {
        if (redis != null) redis.close();
        if (pg != null) pg.close();
    }

    @AfterEach
    void stopServers() {
        for (int i = servers.size() - 1; i >= 0; i--) servers.get(i).close();
    }

    private TestServer single() {
        return start(Map.of());
    }

    private TestServer clusterNode() {
        return start(Map.of("redis.url", redis.url()));
    }

    private TestServer start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("db.url", pg.jdbcUrl());
        settings.put("db.user", Postgres.USER);
        settings.put("redis.timeout", "500ms");
        settings.putAll(extra);
        TestServer s = TestServer.start(settings);
        servers.add(s);
        return s;
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsClient.JSON.readTree(r.body());
    }

    @Test
    void aSecondSingleNodeOnTheSameDatabaseIsRefused() {
        TestServer first = single();
        IllegalStateException e = assertThrows(IllegalStateException.class, this::single);
        assertTrue(e.getMessage().contains(DatabaseClaim.REFUSAL), e.getMessage());
        assertEquals(200, first.get("/ready").statusCode(), "the refused start leaves the first node working");
    }

    @Test
    void aSingleNodeBesideClusterNodesIsRefusedAndSoIsAClusterNodeBesideASingleOne() {
        clusterNode();
        IllegalStateException e = assertThrows(IllegalStateException.class, this::single);
        assertTrue(e.getMessage().contains(DatabaseClaim.REFUSAL), e.getMessage());
        stopServers();
        servers.clear();

        single();
        IllegalStateException other = assertThrows(IllegalStateException.class, this::clusterNode);
        assertTrue(other.getMessage().contains(DatabaseClaim.REFUSAL), other.getMessage());
    }

    @Test
    void clusterNodesShareTheDatabaseAndAreReadyWithRedis() throws Exception {
        TestServer a = clusterNode();
        TestServer b = clusterNode();
        for (TestServer s : List.of(a, b)) {
            Await.until("node ready", DEADLINE, () -> s.get("/ready").statusCode() == 200);
        }
        JsonNode infoA = json(a.get("/api/v1/info", "Authorization", "Bearer " + a.adminToken()));
        JsonNode infoB = json(b.get("/api/v1/info", "Authorization", "Bearer " + b.adminToken()));
        assertFalse(infoA.path("nodeId").asText().isEmpty(), infoA.toString());
        assertFalse(infoA.path("nodeId").asText().equals(infoB.path("nodeId").asText()), "each node has its own id");
        assertEquals(a.server().node().id(), infoA.path("nodeId").asText());
        assertEquals("127.0.0.1:" + a.port(), a.server().node().address(), "advertised address defaults to host:port");
    }

    @Test
    void aClusterOnTheEmbeddedH2IsRefusedWithAClearMessage(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestServer.start(dir, Map.of("redis.url", redis.url())));
        assertTrue(e.getMessage().contains("redis.url") && e.getMessage().contains("H2")
                && e.getMessage().contains("PostgreSQL"), e.getMessage());

        // The same from the command line: one line, exit 2, nothing created.
        Path data = dir.resolve("data");
        try (SwitchboardProcess p = SwitchboardProcess.start(Map.of(), "serve", "--port", "0", "--data-dir",
                data.toString(), "--redis-url", "redis://127.0.0.1:6379")) {
            assertEquals(2, p.awaitExit(Duration.ofSeconds(60)), p.output());
            assertTrue(p.output().contains("a cluster needs one shared PostgreSQL database"), p.output());
            assertFalse(p.output().contains("\tat "), p.output());
        }
        assertFalse(java.nio.file.Files.exists(data.resolve("switchboard.mv.db")), "no H2 database was created");
    }

    @Test
    void aClusterNodeStartsWithoutRedisIsNotReadyAndBecomesReadyWhenRedisComes() throws Exception {
        int port = Ports.free();
        TestServer node = start(Map.of("redis.url", "redis://127.0.0.1:" + port));
        HttpResponse<String> notReady = node.get("/ready");
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertEquals("NOT_READY", json(notReady).path("status").asText());
        assertTrue(json(notReady).path("reason").asText().startsWith("redis unavailable"), notReady.body());
        assertEquals(200, node.get("/health").statusCode(), "liveness does not depend on Redis");

        try (RedisServer late = RedisServer.startOn(port, List.of())) {
            Await.until("ready once Redis is there", DEADLINE, () -> node.get("/ready").statusCode() == 200);
            late.stop();
            Await.until("not ready with Redis gone", DEADLINE, () -> node.get("/ready").statusCode() == 503);
            assertEquals(200, node.get("/health").statusCode());
            String metrics = node.get("/metrics").body();
            assertTrue(metrics.contains("switchboard_redis_up 0.0"), "redis up gauge: " + grep(metrics, "redis"));
            late.startAgain();
            Await.until("ready again", DEADLINE, () -> node.get("/ready").statusCode() == 200);
            assertTrue(grep(node.get("/metrics").body(), "switchboard_redis_reconnects").matches("(?s).*reconnects_total [1-9].*"),
                    grep(node.get("/metrics").body(), "redis"));
        }
    }

    @Test
    void aWrongRedisPasswordIsAReadinessReasonWithoutThePassword() throws Exception {
        String password = LeakGuard.register(Secrets.random(24));
        String wrong = LeakGuard.register(Secrets.random(24));
        try (RedisServer locked = RedisServer.start(List.of("--requirepass", password))) {
            TestServer node = start(Map.of("redis.url", locked.url(), "redis.password", wrong));
            Await.until("the refusal in /ready", DEADLINE,
                    () -> node.get("/ready").body().contains("authentication failed"));
            HttpResponse<String> r = node.get("/ready");
            assertEquals(503, r.statusCode());
            assertFalse(r.body().contains(wrong) || r.body().contains(password), r.body());
            JsonNode info = json(node.get("/api/v1/info", "Authorization", "Bearer " + node.adminToken()));
            assertEquals("(set)", info.path("config").path("redis.password").asText());
        }
    }

    private static String grep(String text, String word) {
        return String.join("\n", text.lines().filter(l -> l.contains(word)).toList());
    }
}
