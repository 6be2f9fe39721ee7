package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Metrics as JSON (admin API) and as Prometheus text: the published names exist and move with traffic. */
@Timeout(60)
class MetricsApiTest extends AdminApiTestBase {
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One Prometheus sample. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A scrape, parsed line by line; fails on any line that is neither a comment nor a sample. */
    record Scrape(List<Sample> samples) {
        static Scrape parse(String text) {
            List<Sample> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), "not a Prometheus sample line: " + line);
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null && !m.group(2).isEmpty()) {
                    Matcher l = LABEL.matcher(m.group(2));
                    int end = 0;
                    while (l.find() && l.start() == end) {
                        labels.put(l.group(1), l.group(2));
                        end = l.end();
                    }
                    assertEquals(m.group(2).length(), end, "labels of " + line);
                }
                out.add(new Sample(m.group(1), labels, parseValue(m.group(3), line)));
            }
            return new Scrape(out);
        }

        private static double parseValue(String v, String line) {
            return switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> {
                    try {
                        yield Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        throw new AssertionError("bad value in " + line);
                    }
                }
            };
        }

        /** The unlabelled sample's value; 0 when the metric is absent (meters for errors appear on first use). */
        double value(String name) {
            return samples.stream().filter(s -> s.name.equals(name) && s.labels.isEmpty()).mapToDouble(Sample::value)
                    .findFirst().orElse(0);
        }

        boolean has(String name) {
            return samples.stream().anyMatch(s -> s.name.equals(name));
        }

        boolean hasPrefix(String prefix) {
            return samples.stream().anyMatch(s -> s.name.startsWith(prefix));
        }

        boolean hasQuantile(String name, String q) {
            return samples.stream().anyMatch(s -> s.name.equals(name) && q.equals(s.labels.get("quantile")));
        }
    }

    private static Scrape scrape() {
        HttpResponse<String> r = server.get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().map().toString());
        return Scrape.parse(r.body());
    }

    @Test
    void thePrometheusScrapeParsesAndHasEveryPublishedFamily() {
        WsClient c = chat.member("prom-ann", "prom-room");
        Chat.say(c, "prom-room", "warm up the timers");
        Scrape s = scrape();
        for (String name : List.of("switchboard_connections", "switchboard_users_online", "switchboard_rooms_active",
                "switchboard_messages_in_total", "switchboard_messages_out_total", "switchboard_fanout_deliveries_total",
                "switchboard_delivery_latency_count", "switchboard_persist_latency_count", "switchboard_outbox_depth",
                "switchboard_outbox_depth_max", "switchboard_write_queue", "switchboard_slow_consumers_total",
                "switchboard_joins_total", "switchboard_leaves_total", "switchboard_kicks_total", "switchboard_bans_total",
                "switchboard_broadcasts_total", "switchboard_db_pool_ActiveConnections", "switchboard_db_pool_TotalConnections",
                "switchboard_db_pool_MaxConnections", "switchboard_db_pool_PendingConnections", "jvm_memory_heap_used",
                "jvm_threads_count", "switchboard_jetty_threads", "switchboard_jetty_threads_busy", "switchboard_jetty_queue")) {
            assertTrue(s.has(name), "missing " + name);
        }
        for (String timer : List.of("switchboard_delivery_latency", "switchboard_persist_latency")) {
            assertTrue(s.hasQuantile(timer, "0.5") && s.hasQuantile(timer, "0.99"), timer + " is a summary with quantiles");
        }
        assertTrue(s.hasPrefix("jvm_gc_"), "GC metrics");
        assertTrue(s.hasPrefix("jvm_memory_"), "memory metrics");
        assertTrue(s.hasPrefix("jvm_threads_"), "thread metrics");
        assertEquals(1, s.value("switchboard_connections"));
        assertEquals(8, s.value("switchboard_db_pool_MaxConnections"), "the pool's size (db.pool.size default)");
    }

    @Test
    void chatTrafficMovesTheCountersAndTimers() {
        Scrape before = scrape();
        WsClient a = chat.member("traffic-ann", "traffic");
        WsClient b = chat.member("traffic-bob", "traffic");
        for (int i = 0; i < 3; i++) Chat.say(a, "traffic", "message " + i);
        for (int i = 0; i < 3; i++) b.await("message");
        a.send("type", "no-such-type", "id", "bad");
        a.awaitError("bad");
        // The sequencer times a delivery after handing the frames out, so a client may see them a moment earlier.
        Await.until("three deliveries timed", Duration.ofSeconds(10),
                () -> scrape().value("switchboard_delivery_latency_count") >= before.value("switchboard_delivery_latency_count") + 3);
        Scrape after = scrape();

        assertEquals(2, after.value("switchboard_connections"));
        assertTrue(after.value("switchboard_messages_in_total") >= before.value("switchboard_messages_in_total") + 6, "2 joins, 3 sends, 1 bad frame");
        assertTrue(after.value("switchboard_messages_out_total") >= before.value("switchboard_messages_out_total") + 9);
        assertTrue(after.value("switchboard_fanout_deliveries_total") >= before.value("switchboard_fanout_deliveries_total") + 6, "3 messages x 2 members");
        assertEquals(before.value("switchboard_delivery_latency_count") + 3, after.value("switchboard_delivery_latency_count"));
        assertTrue(after.value("switchboard_persist_latency_count") > before.value("switchboard_persist_latency_count"));
        assertTrue(after.value("switchboard_joins_total") >= before.value("switchboard_joins_total") + 2);
        assertEquals(before.value("switchboard_errors_unknown_type_total") + 1, after.value("switchboard_errors_unknown_type_total"),
                "the error caused is counted by its code");
    }

    @Test
    void operatorActionsMoveTheKickBanAndBroadcastCounters() {
        Scrape before = scrape();
        WsClient kicked = chat.connect("ops-metrics-cy");
        chat.connect("ops-metrics-dee");
        api.post("/api/v1/users/ops-metrics-cy/kick", AdminClient.json("reason", "x")).expect(200);
        kicked.awaitClose();
        api.post("/api/v1/bans", AdminClient.json("user", "ops-metrics-dee", "duration", "1h")).expect(201);
        api.post("/api/v1/broadcast", AdminClient.json("text", "counted")).expect(200);
        Scrape after = scrape();

        assertEquals(before.value("switchboard_kicks_total") + 2, after.value("switchboard_kicks_total"), "a kick and a ban's kick");
        assertEquals(before.value("switchboard_bans_total") + 1, after.value("switchboard_bans_total"));
        assertEquals(before.value("switchboard_broadcasts_total") + 1, after.value("switchboard_broadcasts_total"));
        api.delete("/api/v1/bans/ops-metrics-dee").expect(204);
    }

    @Test
    void theJsonMetricsCarryMetersTimersAndGaugesThatMatchTheTraffic() {
        JsonNode before = api.get("/api/v1/metrics").expect(200);
        WsClient a = chat.member("json-metrics-eve", "json-metrics");
        Chat.say(a, "json-metrics", "one");
        long timedBefore = before.path("timers").path("switchboard.delivery.latency").path("count").asLong();
        Await.until("the delivery timed", Duration.ofSeconds(10), () -> api.get("/api/v1/metrics").expect(200)
                .path("timers").path("switchboard.delivery.latency").path("count").asLong() > timedBefore);
        JsonNode after = api.get("/api/v1/metrics").expect(200);

        for (String meter : List.of("switchboard.messages.in", "switchboard.messages.out", "switchboard.fanout.deliveries",
                "switchboard.joins", "switchboard.kicks", "switchboard.bans", "switchboard.broadcasts", "switchboard.slow.consumers")) {
            assertTrue(after.path("meters").has(meter), "meter " + meter);
        }
        for (String timer : List.of("switchboard.delivery.latency", "switchboard.persist.latency")) {
            assertTrue(after.path("timers").path(timer).has("p99"), "timer " + timer + ": " + after.path("timers").path(timer));
        }
        for (String gauge : List.of("switchboard.connections", "switchboard.outbox.depth", "switchboard.write.queue",
                "jvm.memory.heap.used", "jvm.threads.count")) {
            assertTrue(after.path("gauges").has(gauge), "gauge " + gauge);
        }
        assertEquals(1, after.path("gauges").path("switchboard.connections").path("value").asInt());
        assertTrue(after.path("meters").path("switchboard.messages.in").path("count").asLong()
                >= before.path("meters").path("switchboard.messages.in").path("count").asLong() + 2);
        assertEquals(timedBefore + 1, after.path("timers").path("switchboard.delivery.latency").path("count").asLong());
    }

    @Test
    void withAMetricsTokenTheScrapeNeedsIt() {
        String token = "metrics-token-0123456789abcdefghijklmn";
        try (TestServer guarded = TestServer.start(Map.of("metrics.token", token))) {
            HttpResponse<String> none = guarded.get("/metrics");
            assertEquals(401, none.statusCode());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, guarded.get("/metrics", "Authorization", "Bearer " + token + "x").statusCode());
            assertEquals(401, guarded.get("/metrics", "Authorization", token).statusCode(), "the Bearer scheme is required");
            HttpResponse<String> ok = guarded.get("/metrics", "Authorization", "Bearer " + token);
            assertEquals(200, ok.statusCode());
            assertTrue(Scrape.parse(ok.body()).has("switchboard_connections"));
        }
    }
}
