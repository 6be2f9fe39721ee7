package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.LocalCluster;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults of a cluster on real processes: three node JVMs, PostgreSQL, Redis and HAProxy. A node killed with SIGKILL,
 * Redis stopped and started again, every node restarted in turn under traffic: no acked message is lost, none is
 * delivered twice, none is missing from a member's gap-free sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private LocalCluster cluster;

    @BeforeAll
    void start() {
        cluster = LocalCluster.builder().nodes(3).set("presence.ttl", "3s").set("cluster.check.interval", "500ms")
                .set("drain.delay", "0").set("drain.window", "1s")
                .set("limits.rate", "1000").set("limits.burst", "1000").start();
    }

    /** Each test starts with every node ready and in the balancer's rotation, whatever the test before it did. */
    @org.junit.jupiter.api.BeforeEach
    void everyNodeInRotation() {
        cluster.awaitReady(LocalCluster.START);
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
    }

    /**
     * A room member that checks every frame: each message must carry the next seq (no gap, nothing twice). On a
     * close it comes back through the balancer and resumes with {@code join {since}}.
     */
    private final class Member {
        final String user;
        final String room;
        long last;
        WsClient ws;
        final List<String> violations = new ArrayList<>();

        Member(String user, String room, URI first) {
            this.user = user;
            this.room = room;
            connect(first, null);
        }

        void connect(URI uri, Long since) {
            ws = WsClient.connected(uri);
            if (since == null) ws.send("type", "join", "id", "j", "room", room);
            else ws.send("type", "join", "id", "j", "room", room, "since", since);
            JsonNode joined = ws.await("joined");
            if (since == null) last = joined.path("seq").asLong();
        }

        /** Reads what arrived; when the connection closed, resumes through the balancer. */
        void pump() {
            while (true) {
                JsonNode f = ws.next(Duration.ofMillis(50));
                if (f == null) break;
                if (!"message".equals(f.path("type").asText()) || !room.equals(f.path("room").asText())) continue;
                long seq = f.path("seq").asLong();
                if (seq != last + 1) violations.add("expected seq " + (last + 1) + ", got " + seq);
                last = Math.max(last, seq);
            }
            if (!ws.isOpen()) {
                try {
                    connect(cluster.wsThroughBalancer(user), last);
                } catch (AssertionError | RuntimeException e) {
                    // The balancer may still route to the node that just went away; the next pump tries again.
                }
            }
        }

        void awaitSeq(long seq) {
            Await.until(user + " reaches seq " + seq, WAIT, () -> {
                pump();
                return last >= seq;
            });
        }
    }

    /** Sends with ids, retries what was not acked on another node after a failure, and records every ack. */
    private final class Sender {
        final String room;
        final Map<String, Long> acked = new ConcurrentHashMap<>();
        WsClient ws;

        Sender(String room, URI uri) {
            this.room = room;
            ws = WsClient.connected(uri);
            ws.join(room);
        }

        /** Sends {@code name}, under an id unique to this room (the same user sends in every test). */
        void send(String name) {
            String id = room + "-" + name;
            String last = "no answer";
            for (int attempt = 0; attempt < 20 && !acked.containsKey(id); attempt++) {
                try {
                    if (!ws.isOpen()) {
                        ws = WsClient.connected(cluster.wsThroughBalancer("sender"));
                        ws.join(room);
                    }
                    ws.send("type", "send", "room", room, "id", id, "text", "text of " + id);
                    JsonNode ack = ws.await(f -> ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText()))
                            && id.equals(f.path("id").asText()), Duration.ofSeconds(3), "answer to " + id);
                    if ("ack".equals(ack.path("type").asText())) acked.put(id, ack.path("seq").asLong());
                    last = ack.toString();
                } catch (AssertionError | RuntimeException e) {
                    last = e.toString();
                    ws.close(); // no answer or no connection: the retry with the same id is deduplicated
                }
            }
            assertTrue(acked.containsKey(id), "send " + id + " acked in the end; last answer: " + last);
        }

        long maxSeq() {
            return acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    private static void assertAckedOnceEach(Sender s) {
        assertEquals(s.acked.size(), s.acked.values().stream().distinct().count(), "every acked message has its own seq");
    }

    @Test
    void aKilledNodesClientsResumeElsewhereExactlyOnceAndItsUsersGoOffline() {
        String room = "kill-" + System.nanoTime();
        NodeProcess victim = cluster.node(0);
        Member member = new Member("mia", room, victim.ws(cluster.token("mia")));
        WsClient stayingAway = WsClient.connected(victim.ws(cluster.token("nils")));
        stayingAway.join(room);
        WsClient watcher = WsClient.connected(cluster.node(2).ws(cluster.token("wade")));
        watcher.join(room);
        Sender sender = new Sender(room, cluster.node(1).ws(cluster.token("sender")));
        for (int i = 0; i < 20; i++) sender.send("k" + i);
        member.awaitSeq(sender.maxSeq());

        assertEquals(137, victim.kill());
        long killedAt = System.nanoTime();
        cluster.lb().awaitInRotation(victim.name(), false, WAIT);
        for (int i = 20; i < 40; i++) sender.send("k" + i);
        member.awaitSeq(sender.maxSeq());
        assertEquals(List.of(), member.violations, "mia's sequence across the kill and the resume");
        assertAckedOnceEach(sender);

        watcher.await(f -> "presence".equals(f.path("type").asText()) && "nils".equals(f.path("user").asText())
                && "leave".equals(f.path("event").asText()), WAIT, "nils goes offline");
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        assertTrue(seconds < 3 + 1 + 5, "offline within presence.ttl + a sweep period + slack, took " + seconds + " s");

        victim.restart().awaitReady(LocalCluster.START);
        cluster.lb().awaitInRotation(victim.name(), true, WAIT);
        List.of(member.ws, watcher, sender.ws).forEach(WsClient::close);
    }

    @Test
    void redisStoppedAndStartedAgainLeavesNoHole() {
        String room = "redis-" + System.nanoTime();
        Member there = new Member("rita", room, cluster.node(1).ws(cluster.token("rita")));
        Sender sender = new Sender(room, cluster.node(0).ws(cluster.token("sender")));
        sender.send("before");
        there.awaitSeq(sender.maxSeq());

        cluster.redis().stop();
        Await.until("every node reports Redis down in /ready", WAIT,
                () -> cluster.nodes().stream().allMatch(n -> n.readyStatus() == 503));
        for (int i = 0; i < 5; i++) sender.send("during" + i); // local traffic goes on: stored and acked
        cluster.redis().startAgain();
        Await.until("every node is ready again", WAIT, () -> cluster.nodes().stream().allMatch(n -> n.readyStatus() == 200));
        there.awaitSeq(sender.maxSeq()); // filled from the store once the subscription is back
        Sender back = new Sender(room, cluster.node(1).ws(cluster.token("sender")));
        back.send("after");
        there.awaitSeq(back.maxSeq());
        assertEquals(List.of(), there.violations);
        List.of(there.ws, sender.ws, back.ws).forEach(WsClient::close);
    }

    @Test
    void aRollingRestartUnderTrafficLosesAndDoublesNothing() {
        String room = "rolling-" + System.nanoTime();
        Member member = new Member("rob", room, cluster.wsThroughBalancer("rob"));
        Sender sender = new Sender(room, cluster.wsThroughBalancer("sender"));
        int n = 0;
        for (NodeProcess node : cluster.nodes()) {
            for (int i = 0; i < 10; i++) sender.send("r" + n++);
            node.terminate();
            assertEquals(0, node.awaitExit(WAIT), node.name() + " stops cleanly");
            cluster.lb().awaitInRotation(node.name(), false, WAIT);
            for (int i = 0; i < 10; i++) sender.send("r" + n++);
            member.pump();
            node.restart().awaitReady(LocalCluster.START);
            cluster.lb().awaitInRotation(node.name(), true, WAIT);
        }
        member.awaitSeq(sender.maxSeq());
        assertEquals(60, sender.acked.size());
        assertAckedOnceEach(sender);
        assertEquals(List.of(), member.violations);
        List.of(member.ws, sender.ws).forEach(WsClient::close);
    }

    @Test
    void postgresBrieflyGoneRefusesSendsAsRetryableAndLosesNothing() {
        String room = "pg-" + System.nanoTime();
        Member member = new Member("pam", room, cluster.node(2).ws(cluster.token("pam")));
        Sender sender = new Sender(room, cluster.node(0).ws(cluster.token("sender")));
        sender.send("before");
        cluster.postgres().stop();
        String during = room + "-during"; // the id Sender.send("during") uses, text included
        sender.ws.send("type", "send", "room", room, "id", during, "text", "text of " + during);
        JsonNode refused = sender.ws.await(f -> during.equals(f.path("id").asText()), WAIT, "answer to during");
        assertEquals("unavailable", refused.path("code").asText(), "retryable while the store is away: " + refused);
        cluster.postgres().startAgain();
        Await.until("every node ready again", WAIT, () -> cluster.nodes().stream().allMatch(n -> n.readyStatus() == 200));
        sender.send("during"); // the client's retry with the same id, as the error says
        sender.send("after");
        member.awaitSeq(sender.maxSeq());
        assertEquals(3, sender.acked.size());
        assertAckedOnceEach(sender);
        assertEquals(List.of(), member.violations);
        List.of(member.ws, sender.ws).forEach(WsClient::close);
    }

    @Test
    void aBanMadeWhileRedisIsDownStillClosesTheUsersConnectionsOnEveryNode() throws Exception {
        WsClient bea = WsClient.connected(cluster.node(1).ws(cluster.token("bea")));
        cluster.redis().stop();
        try {
            Await.until("node 1 reports Redis down", WAIT, () -> cluster.node(0).readyStatus() == 503);
            java.net.http.HttpResponse<String> ban = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(cluster.node(0).uri("/api/v1/bans"))
                            .header("Authorization", "Bearer " + cluster.adminToken())
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"user\":\"bea\",\"reason\":\"spam\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(201, ban.statusCode(), ban.body());
            // The control message cannot reach node 2; the ban it reads from the store every presence period can.
            assertEquals(4003, bea.awaitClose(Duration.ofSeconds(10)).code());
        } finally {
            cluster.redis().startAgain();
            Await.until("every node ready again", WAIT, () -> cluster.nodes().stream().allMatch(n -> n.readyStatus() == 200));
        }
    }
}
