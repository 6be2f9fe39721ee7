package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.ChatTraffic;
import io.switchboard.testing.LocalCluster;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Draining one node of a cluster behind HAProxy under traffic (issue "Deploy on Kubernetes": the rollout step): the
 * node's {@code /ready} turns 503 before any connection is closed, its connections are closed with 1012 spread over
 * {@code drain.window}, its clients come back through the balancer on the other nodes and resume, the process exits
 * 0, and every acked message is in the history exactly once and reached every client once, in order.
 */
class ClusterDrainTest {
    /** Measured figures go to the test log (target/test-logs/tests.log), where a reader of the run finds them. */
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterDrainTest.class);

    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration WINDOW = Duration.ofSeconds(4);

    @Test
    void aDrainedNodesClientsMoveToTheOthersOverTheWindowAndNothingAckedIsLost() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3)
                .set("drain.delay", DELAY.toSeconds() + "s").set("drain.window", WINDOW.toSeconds() + "s")
                .set("shutdown.grace", "20s").start();
             ChatTraffic traffic = ChatTraffic.start(java.net.URI.create("ws://127.0.0.1:" + cluster.lb().port() + "/ws"), cluster::token, 24, "drained",
                     Duration.ofMillis(200))) {
            traffic.awaitAcks(0, 48, Duration.ofSeconds(30));
            NodeProcess victim = cluster.node(0);
            long t0 = System.nanoTime();
            victim.terminate();
            Await.until("the drained node's /ready is 503", Duration.ofSeconds(5), () -> victim.readyStatus() == 503);
            double readyOffMs = (System.nanoTime() - t0) / 1e6;
            cluster.lb().awaitInRotation(victim.name(), false, Duration.ofSeconds(5));
            assertEquals(0, victim.awaitExit(Duration.ofSeconds(25)), "the drained node exits 0");
            double exitMs = (System.nanoTime() - t0) / 1e6;

            List<ChatTraffic.Member> moved = traffic.members().stream()
                    .filter(m -> m.endings().stream().anyMatch(e -> e.code() == 1012)).toList();
            assertTrue(moved.size() >= 3, "round robin put several of 24 clients on the drained node: " + moved.size());
            for (ChatTraffic.Member m : traffic.members()) {
                assertTrue(m.endings().stream().allMatch(e -> e.code() == 1012), m.user + " ended only by the drain: " + m.endings());
            }
            double first = Double.MAX_VALUE;
            double last = 0;
            for (ChatTraffic.Member m : moved) {
                double at = (m.endings().get(0).atNanos() - t0) / 1e6;
                first = Math.min(first, at);
                last = Math.max(last, at);
            }
            assertTrue(readyOffMs < first, "/ready off (" + readyOffMs + " ms) before the first close (" + first + " ms)");
            assertTrue(first >= DELAY.toMillis() - 200, "closes start after drain.delay: " + first + " ms");
            assertTrue(last - first >= WINDOW.toMillis() / 2.0, "closes spread over the window: " + first + ".." + last + " ms");
            assertTrue(last <= DELAY.plus(WINDOW).toMillis() + 1500, "closes end with the window: " + last + " ms");
            Await.until("every moved client is back and joined again", Duration.ofSeconds(30),
                    () -> moved.stream().allMatch(m -> m.joins() >= 2 && m.state() == io.switchboard.client.State.CONNECTED));

            traffic.awaitAcks(traffic.acked().size(), 24, Duration.ofSeconds(30));
            traffic.stopSending(Duration.ofSeconds(30));
            int lost;
            try (WsClient reader = WsClient.connected(cluster.node(1).ws(cluster.token("reader")))) {
                lost = traffic.verify(ChatTraffic.history(reader, "drained"), Duration.ofSeconds(30));
            }
            assertEquals(0, lost);
            log.info(String.format("cluster drain: %d of 24 connections moved; /ready 503 after %.0f ms; closes %.0f..%.0f ms"
                            + " after SIGTERM (span %.0f ms); exit 0 after %.0f ms; %d messages acked, %d lost",
                    moved.size(), readyOffMs, first, last, last - first, exitMs, traffic.acked().size(), lost));
        }
    }
}
