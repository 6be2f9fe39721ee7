package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.auth.Secrets;
import io.switchboard.config.Config;
import io.switchboard.metrics.Metrics;
import io.switchboard.testing.Await;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.Ports;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis link on a real {@code redis-server}: messages go round, and {@code isUp()} tells the truth when Redis
 * restarts, when the subscription dies while its socket stays open, and when credentials are wrong.
 */
@Timeout(120)
class RedisConnectionsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** Short, so that the probe's verdict comes quickly; the probe itself runs every second. */
    private static final String TIMEOUT = "500ms";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    private static Config config(String url, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("redis.url", url);
        settings.put("db.url", "jdbc:postgresql://127.0.0.1:1/unused"); // cluster mode needs PostgreSQL configured
        settings.put("redis.timeout", TIMEOUT);
        settings.putAll(extra);
        return Config.of(settings);
    }

    private RedisConnections connect(String url, Map<String, String> extra) {
        Config config = config(url, extra);
        RedisConnections r = new RedisConnections(RedisSettings.from(config, NodeIdentity.from(config)), new Metrics());
        r.addListener((channel, payload) -> received.add(channel + "=" + payload));
        return track(r).start();
    }

    private RedisConnections connect(String url) {
        return connect(url, Map.of());
    }

    private static void awaitUp(RedisConnections r) {
        Await.until("Redis up", DEADLINE, r::isUp);
    }

    private void awaitReceived(String entry) {
        Await.until(entry + " to arrive (got " + received + ")", DEADLINE, () -> received.contains(entry));
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMessagePublishedOnOneNodeReachesASubscriberOnAnother() throws Exception {
        RedisServer redis = track(RedisServer.start());
        RedisConnections a = connect(redis.url(), Map.of("node.id", "a"));
        RedisConnections b = connect(redis.url(), Map.of("node.id", "b"));
        awaitUp(a);
        awaitUp(b);
        assertNull(a.problem());

        get(b.subscribe("switchboard:room:lobby"));
        assertEquals(1L, get(a.publish("switchboard:room:lobby", "{\"seq\":1}")), "one subscriber in the cluster");
        awaitReceived("switchboard:room:lobby={\"seq\":1}");

        get(b.unsubscribe("switchboard:room:lobby"));
        assertEquals(0L, get(a.publish("switchboard:room:lobby", "{\"seq\":2}")));
        assertEquals("world", get(a.call(c -> c.set("k", "world")).thenCompose(ok -> a.call(c -> c.get("k")))));
        assertTrue(received.stream().noneMatch(m -> m.contains("~probe")), "probes never reach listeners: " + received);
    }

    @Test
    void aRedisRestartIsReportedDownThenUpAndTheSubscriptionWorksAgain() throws Exception {
        RedisServer redis = track(RedisServer.start());
        Metrics metrics = new Metrics();
        Config config = config(redis.url(), Map.of());
        RedisConnections r = track(new RedisConnections(RedisSettings.from(config, NodeIdentity.from(config)), metrics));
        r.addListener((channel, payload) -> received.add(channel + "=" + payload));
        AtomicInteger recovered = new AtomicInteger();
        AtomicInteger down = new AtomicInteger();
        r.onRecovered(recovered::incrementAndGet);
        r.onDown(down::incrementAndGet);
        r.start();
        awaitUp(r);
        Await.until("the first recovery hook", DEADLINE, () -> recovered.get() == 1);
        get(r.subscribe("switchboard:room:a"));
        get(r.subscribe("switchboard:room:gone"));
        assertEquals(1, metrics.registry().getGauges().get(Metrics.REDIS_UP).getValue());

        redis.stop();
        Await.until("Redis reported down", DEADLINE, () -> !r.isUp());
        assertEquals(0, metrics.registry().getGauges().get(Metrics.REDIS_UP).getValue());
        assertNotNull(r.problem());
        Await.until("the down hook", DEADLINE, () -> down.get() == 1);
        // Publishing while down fails at once and is counted; subscribing fails yet stays wanted.
        assertThrows(ExecutionException.class, () -> get(r.publish("switchboard:room:a", "lost")));
        assertEquals(1, metrics.registry().counter(Metrics.REDIS_PUBLISH_FAILURES).getCount());
        assertThrows(ExecutionException.class, () -> get(r.subscribe("switchboard:room:b")));
        get(r.unsubscribe("switchboard:room:gone")); // while down: Lettuce still has it on its list

        redis.startAgain();
        Await.until("Redis up again", DEADLINE, r::isUp);
        Await.until("the recovery hook after the restart", DEADLINE, () -> recovered.get() == 2);
        assertTrue(metrics.registry().counter(Metrics.REDIS_RECONNECTS).getCount() >= 1, "reconnects counted");

        // Both the channel subscribed before the restart and the one asked for while Redis was away work.
        try (RedisConnections other = connect(redis.url(), Map.of("node.id", "other"))) {
            awaitUp(other);
            get(other.publish("switchboard:room:gone", "not-wanted"));
            assertEquals(1L, get(other.publish("switchboard:room:a", "after-a")));
            assertEquals(1L, get(other.publish("switchboard:room:b", "after-b")));
        }
        awaitReceived("switchboard:room:a=after-a");
        awaitReceived("switchboard:room:b=after-b");
        // Published before after-a on one connection, so it would have arrived first.
        assertTrue(received.stream().noneMatch(m -> m.contains("not-wanted")), "unsubscribed channel delivered: " + received);
        assertEquals(Set.of("switchboard:room:a", "switchboard:room:b"), r.channels());
    }

    @Test
    void aSubscriptionThatDiesWhileItsSocketStaysOpenIsDetectedAndReplaced() throws Exception {
        RedisServer redis = track(RedisServer.start());
        TcpProxy proxy = track(TcpProxy.to(redis.port()));
        RedisConnections r = connect("redis://127.0.0.1:" + proxy.port());
        AtomicInteger recovered = new AtomicInteger();
        r.onRecovered(recovered::incrementAndGet);
        awaitUp(r);
        get(r.subscribe("switchboard:room:w"));
        int before = recovered.get();
        int connections = proxy.connectionsMade();

        proxy.blackholeExisting(); // both sockets stay open; nothing gets through any more
        long t0 = System.nanoTime();
        Await.until("the dead subscription detected", DEADLINE, () -> !r.isUp());
        long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(detectedMs < 2_500, "detected within the probe interval plus redis.timeout, took " + detectedMs + " ms");
        assertTrue(r.problem().contains("probe"), r.problem());

        // The wedged connections are replaced through the proxy, which lets new connections through.
        Await.until("Redis up on fresh connections", DEADLINE, r::isUp);
        assertTrue(proxy.connectionsMade() >= connections + 2, "new connections were made");
        Await.until("the recovery hook", DEADLINE, () -> recovered.get() > before);
        try (RedisConnections other = connect(redis.url(), Map.of("node.id", "other"))) {
            awaitUp(other);
            assertEquals(1L, get(other.publish("switchboard:room:w", "alive")));
        }
        awaitReceived("switchboard:room:w=alive");
    }

    @Test
    void aPausedRedisFailsTheProbeAndIsUpAgainWhenItAnswers() throws Exception {
        RedisServer redis = track(RedisServer.start());
        RedisConnections r = connect(redis.url());
        awaitUp(r);
        // Every client paused, connections kept: the probe cannot come back, no socket error says so.
        assertEquals("OK", redis.cli("CLIENT", "PAUSE", "2500", "ALL"));
        Await.until("the paused Redis reported down", DEADLINE, () -> !r.isUp());
        Await.until("Redis up again after the pause", DEADLINE, r::isUp);
    }

    @Test
    void aPasswordFromRedisPasswordOrTheUrlAndAnAclUserAreAccepted() throws Exception {
        String password = LeakGuard.register(Secrets.random(24));
        RedisServer redis = track(RedisServer.start(List.of("--requirepass", password,
                "--user", "app", "on", ">" + password, "~*", "&*", "+@all")));
        RedisConnections byKey = connect(redis.url(), Map.of("redis.password", password, "node.id", "k"));
        RedisConnections inUrl = connect("redis://:" + password + "@127.0.0.1:" + redis.port(), Map.of("node.id", "u"));
        RedisConnections aclUser = connect("redis://app:" + password + "@127.0.0.1:" + redis.port(), Map.of("node.id", "acl"));
        awaitUp(byKey);
        awaitUp(inUrl);
        awaitUp(aclUser);
        get(aclUser.subscribe("switchboard:room:x"));
        assertEquals(1L, get(byKey.publish("switchboard:room:x", "hi")));
        awaitReceived("switchboard:room:x=hi");
        assertEquals("redis://app:[redacted]@127.0.0.1:" + redis.port(), aclUser.settings().redactedUrl());
    }

    @Test
    void aWrongPasswordIsAClearReadinessProblemThatNeverShowsThePassword() throws Exception {
        String password = LeakGuard.register(Secrets.random(24));
        String wrong = LeakGuard.register(Secrets.random(24));
        RedisServer redis = track(RedisServer.start(List.of("--requirepass", password)));
        RedisConnections r = connect(redis.url(), Map.of("redis.password", wrong));
        Await.until("the refusal reported", DEADLINE,
                () -> r.problem() != null && r.problem().contains("authentication failed"));
        assertFalse(r.isUp());
        assertFalse(r.problem().contains(wrong), r.problem());
        assertFalse(r.problem().contains(password), r.problem());

        RedisConnections acl = connect("redis://nobody:" + wrong + "@127.0.0.1:" + redis.port(), Map.of());
        Await.until("the ACL refusal reported", DEADLINE,
                () -> acl.problem() != null && acl.problem().contains("authentication failed"));
        assertFalse(acl.problem().contains(wrong), acl.problem());
        // LeakGuard fails this class should either password reach any log line, at any level.
    }

    @Test
    void aNodeStartedBeforeRedisReportsItUnavailableAndConnectsWhenItComes() throws Exception {
        int port = Ports.free();
        RedisConnections r = connect("redis://127.0.0.1:" + port);
        AtomicInteger recovered = new AtomicInteger();
        r.onRecovered(recovered::incrementAndGet);
        assertThrows(ExecutionException.class, () -> get(r.subscribe("switchboard:room:early")));
        Await.until("the connection problem reported", DEADLINE,
                () -> r.problem() != null && r.problem().contains("cannot connect"));
        assertFalse(r.isUp());

        RedisServer redis = track(RedisServer.startOn(port, List.of()));
        Await.until("Redis up once it exists", DEADLINE, r::isUp);
        Await.until("the recovery hook", DEADLINE, () -> recovered.get() == 1);
        try (RedisConnections other = connect(redis.url(), Map.of("node.id", "other"))) {
            awaitUp(other);
            assertEquals(1L, get(other.publish("switchboard:room:early", "late")), "the early subscription was made");
        }
        awaitReceived("switchboard:room:early=late");
    }

    private static void assertNull(Object o) {
        org.junit.jupiter.api.Assertions.assertNull(o);
    }
}
