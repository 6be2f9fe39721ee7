package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster fixture itself, on real processes: three node JVMs on one PostgreSQL and one Redis behind HAProxy. The
 * balancer spreads requests over all nodes, drops a SIGKILLed node from rotation within about a second and takes it
 * back after a restart; every node reports Redis down in /ready while Redis is stopped and recovers by itself; SIGTERM
 * stops a node cleanly.
 */
@Timeout(300)
class LocalClusterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /**
     * The node ids that answer through the balancer: {@code requests} requests, or more (up to 40) until every
     * expected node answered; HAProxy's round robin need not alternate strictly after nodes left and came back.
     */
    private static Set<String> nodeIdsThroughBalancer(LocalCluster cluster, Set<String> expected, int requests) throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 40 && (i < requests || !ids.containsAll(expected)); i++) {
            HttpResponse<String> r = cluster.lb().get("/api/v1/info", "Authorization", "Bearer " + cluster.adminToken());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode info = WsClient.JSON.readTree(r.body());
            ids.add(info.path("nodeId").asText());
        }
        return ids;
    }

    @Test
    void threeNodesBehindTheBalancerSurviveAKillARedisRestartAndAStop() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).start()) {
            assertEquals(Set.of("n1", "n2", "n3"), nodeIdsThroughBalancer(cluster, Set.of("n1", "n2", "n3"), 6), "round robin over every node");

            NodeProcess n2 = cluster.node(1);
            assertEquals(137, n2.kill(), "SIGKILL");
            long t0 = System.nanoTime();
            cluster.lb().awaitInRotation("n2", false, DEADLINE);
            long outMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(outMs < 3_000, "a dead node leaves rotation within a few health checks, took " + outMs + " ms");
            assertEquals(Set.of("n1", "n3"), nodeIdsThroughBalancer(cluster, Set.of("n1", "n3"), 6), "no request reaches the dead node");

            n2.restart().awaitReady(LocalCluster.START);
            cluster.lb().awaitInRotation("n2", true, DEADLINE);
            assertEquals(Set.of("n1", "n2", "n3"), nodeIdsThroughBalancer(cluster, Set.of("n1", "n2", "n3"), 6));

            cluster.redis().stop();
            for (NodeProcess n : cluster.nodes()) {
                Await.until(n.name() + " not ready without Redis", DEADLINE, () -> n.readyStatus() == 503);
                HttpResponse<String> ready = n.get("/ready");
                assertTrue(ready.body().contains("redis unavailable"), ready.body());
                assertEquals(200, n.get("/health").statusCode(), "alive all the same");
            }
            for (NodeProcess n : cluster.nodes()) cluster.lb().awaitInRotation(n.name(), false, DEADLINE);
            cluster.redis().startAgain();
            cluster.awaitReady(DEADLINE);

            NodeProcess n1 = cluster.node(0);
            n1.terminate();
            assertEquals(0, n1.awaitExit(DEADLINE), "SIGTERM stops gracefully:\n" + n1.output());
            assertTrue(n1.output().contains("Switchboard stopped"), n1.output());
            cluster.lb().awaitInRotation("n1", false, DEADLINE);
            assertEquals(Set.of("n2", "n3"), nodeIdsThroughBalancer(cluster, Set.of("n2", "n3"), 4));
        }
    }
}
