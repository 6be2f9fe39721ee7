package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.bench.Scenario.Kind;
import io.switchboard.bench.Scenario.Step;
import io.switchboard.bench.ServerProcess.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One step against one target: start a fresh server (or, for the fleet targets, nodes behind HAProxy — see
 * {@link Deployment}), measure it idle, connect every client, measure memory, then hold (A), time the connects and
 * the reconnect storm (E, see {@link Storm}) or send for warm-up + duration and drain (B, C, D, F), and stop
 * everything it started. With several nodes, memory
 * and CPU are the nodes' sums (and CPU per node too), and the generator learns which node holds each connection to
 * tell deliveries that crossed nodes from local ones.
 */
final class Trial {
    private static final double MB = 1024.0 * 1024.0;

    private final Step step;
    private final Target target;
    private final ServerProcess.Launch launch;
    private final Path dir;
    private final AtomicInteger addresses;
    private final Services services;
    private final Consumer<String> progress;

    Trial(Step step, Target target, ServerProcess.Launch launch, Path dir, AtomicInteger addresses, Services services,
          Consumer<String> progress) {
        this.step = step;
        this.target = target;
        this.launch = launch;
        this.dir = dir;
        this.addresses = addresses;
        this.services = services;
        this.progress = progress;
    }

    Result run() {
        Result r = new Result().put("scenario", step.scenario().name()).put("step", step.label()).put("target", target.id);
        Kind kind = step.scenario().kind;
        r.put("status", "ok").put("conns", step.conns()).put("rooms", kind == Kind.DIRECT ? 0 : step.rooms())
                .put("rate", step.sends() ? step.rate() : 0.0).put("payload", step.payload());
        Stats stats = new Stats();
        Deployment server = null;
        LoadGenerator gen = null;
        Storm storm = null;
        try {
            progress.accept("starting " + target.id + (target == Target.CLUSTER ? " (Redis, 2 nodes on PostgreSQL, HAProxy)"
                    : target == Target.PG ? " (1 node on PostgreSQL, HAProxy)" : ""));
            PostgresServer pg = target.fleet() ? services.postgres() : null;
            server = Deployment.start(target, launch, dir, step.label(), step.payload(), pg,
                    target.fleet() ? services.nextDatabase(step.label(), target.id) : null,
                    services == null ? null : services.adminToken, Duration.ofSeconds(90));
            Thread.sleep(500);
            boolean gc = server.gc();
            long heapBefore = server.heapUsed();
            long rssBefore = server.rss();
            r.put("gc", gc ? "yes" : "no");

            Wire wire = target.switchboard() ? new Wire.Switchboard(launch.jwtSecret()) : new Wire.Baseline();
            List<Conn> conns = connections(step.conns(), "u", server.port(), wire, stats);
            if (step.prewarm() > 0) prewarm(server.port(), wire);
            int first = addresses.getAndAdd(step.clients());
            gen = new LoadGenerator(first, step.clients(), step.ioThreads());
            progress.accept("connecting " + step.conns() + " from " + String.join(",", gen.sources));

            ProcStats.Mark c0 = mark(server);
            gen.connectAll(conns, step.deflate(), step.connectConcurrency(), min(Duration.ofSeconds(30), step.connectTimeout()), step.connectTimeout());
            List<Conn> ready = new ArrayList<>();
            long lastReady = c0.wallNanos();
            for (Conn c : conns) {
                if (c.ready.isDone() && !c.ready.isCompletedExceptionally()) {
                    ready.add(c);
                    lastReady = Math.max(lastReady, c.readyNanos);
                }
            }
            ProcStats.Mark c1 = mark(server);
            double connectSeconds = Math.max(1e-3, (lastReady - c0.wallNanos()) / 1e9);
            Histogram connect = stats.connectLatency();
            r.put("established", ready.size()).put("failed", step.conns() - ready.size())
                    .put("connect_failures", stats.connectFailures())
                    .put("connect_s", connectSeconds).put("connect_per_s", ready.size() / connectSeconds)
                    .put("connect_p50_ms", ms(connect, 50)).put("connect_p99_ms", ms(connect, 99))
                    .put("connect_max_ms", connect.getTotalCount() == 0 ? Double.NaN : connect.getMaxValue() / 1000.0)
                    .put("connect_server_cpu_pct", c0.serverPct(c1)).put("connect_gen_cpu_pct", c0.ownPct(c1))
                    .put("connect_server_threads", c0.serverThreads(c1, 4))
                    .put("deflate_offered", step.deflate() ? ready.size() : 0)
                    .put("deflate_accepted", ready.stream().filter(c -> c.deflateAccepted).count());
            progress.accept(ready.size() + " connected in " + Report.num(connectSeconds) + " s");
            if (target.fleet() && !ready.isEmpty()) {
                r.put("nodes", placeOnNodes(server, ready));
                progress.accept("connections per node: " + r.get("nodes"));
            }

            Thread.sleep(1000); // joins, presence and offline syncs settle
            server.gc();
            long heapAfter = server.heapUsed();
            long rssAfter = server.rss();
            r.put("heap_before_mb", heapBefore / MB).put("heap_after_mb", heapAfter / MB)
                    .put("rss_before_mb", rssBefore / MB).put("rss_after_mb", rssAfter / MB);
            if (!ready.isEmpty()) {
                r.put("heap_per_conn_kb", (heapAfter - heapBefore) / 1024.0 / ready.size())
                        .put("rss_per_conn_kb", (rssAfter - rssBefore) / 1024.0 / ready.size());
            }

            ProcStats.Mark a;
            ProcStats.Mark b;
            double seconds = 0;
            List<Conn> atEnd = ready;
            switch (kind) {
                case STORM -> {
                    a = c0;
                    b = c1;
                    if (step.resume() && !ready.isEmpty()) {
                        Deployment d = server;
                        storm = new Storm(step, target.switchboard(), wire, server.port(), ready, gen, addresses, progress, () -> mark(d));
                        storm.run(r);
                        atEnd = storm.reconnected();
                    }
                }
                case IDLE -> {
                    progress.accept("holding " + Params.formatDuration(step.duration()));
                    a = mark(server);
                    Thread.sleep(step.duration().toMillis());
                    b = mark(server);
                    // Memory per idle connection as it stays: G1 returns the memory a collection frees concurrently,
                    // so the reading right after connecting still holds much of the connect phase's garbage heap.
                    server.gc();
                    long heapHeld = server.heapUsed();
                    long rssHeld = server.rss();
                    r.put("heap_held_mb", heapHeld / MB).put("rss_held_mb", rssHeld / MB);
                    if (!ready.isEmpty()) {
                        r.put("heap_held_per_conn_kb", (heapHeld - heapBefore) / 1024.0 / ready.size())
                                .put("rss_held_per_conn_kb", (rssHeld - rssBefore) / 1024.0 / ready.size());
                    }
                }
                default -> {
                    Marks m = send(ready, wire, stats, server);
                    a = m.a();
                    b = m.b();
                    seconds = step.duration().toNanos() / 1e9;
                    drain(stats);
                }
            }
            stats.freeze();
            int open = 0;
            for (Conn c : atEnd) if (c.open()) open++;

            if (step.sends()) {
                long sent = stats.sent.sum();
                long delivered = stats.delivered.sum();
                long expected = stats.expected.sum();
                Histogram lat = stats.latency();
                Histogram ack = stats.ackLatency();
                double ratio = expected == 0 ? Double.NaN : (double) delivered / expected;
                double p99 = ms(lat, 99);
                r.put("duration_s", seconds).put("sent", sent).put("delivered", delivered).put("expected", expected)
                        .put("delivery_ratio", Report.ratio4(ratio)).put("sent_per_s", sent / seconds)
                        .put("deliveries_per_s", delivered / seconds)
                        .put("p50_ms", ms(lat, 50)).put("p90_ms", ms(lat, 90)).put("p99_ms", p99)
                        .put("max_ms", lat.getTotalCount() == 0 ? Double.NaN : lat.getMaxValue() / 1000.0);
                if (target.switchboard()) {
                    r.put("acks", stats.acks.sum()).put("ack_p50_ms", ms(ack, 50)).put("ack_p99_ms", ms(ack, 99));
                }
                if (target.fleet()) {
                    long cross = stats.deliveredCross.sum();
                    Histogram local = stats.localLatency();
                    Histogram crossed = stats.crossLatency();
                    r.put("cross_expected", stats.crossExpected.sum()).put("cross_delivered", cross)
                            .put("cross_fraction", Report.ratio4(delivered == 0 ? Double.NaN : (double) cross / delivered))
                            .put("cross_deliveries_per_s", cross / seconds)
                            .put("cross_publications_per_s", stats.crossHops.sum() / seconds)
                            .put("local_p50_ms", ms(local, 50)).put("local_p99_ms", ms(local, 99))
                            .put("cross_p50_ms", ms(crossed, 50)).put("cross_p99_ms", ms(crossed, 99));
                }
                boolean pass = ready.size() == step.conns() && !Double.isNaN(ratio) && ratio >= step.minRatio()
                        && p99 < step.maxP99Ms();
                r.put("pass", pass);
            }
            List<JsonNode> metrics = server.metrics();
            boolean sb = target.switchboard();
            // Redis, HAProxy and PostgreSQL are not "other load": they are part of what the fleet targets run.
            Map<String, Double> helperPct = new LinkedHashMap<>();
            double helpers = 0;
            for (String group : server.helperPids().keySet()) {
                double pct = a.groupPct(b, group);
                helperPct.put(group + "_cpu_pct", pct);
                if (!Double.isNaN(pct)) helpers += pct;
            }
            double serverPct = a.serverPct(b);
            r.put("load_avg", ProcStats.loadAverage()); // 1/5/15-minute load: the host is shared
            r.put("server_cpu_pct", serverPct).put("server_threads", a.serverThreads(b, 4)).put("gen_cpu_pct", a.ownPct(b)).put("host_cpu_pct", a.hostPct(b))
                    .put("other_cpu_pct", Math.max(0, a.hostPct(b) - serverPct - a.ownPct(b) - helpers));
            if (target.fleet()) {
                Map<String, String> perNode = new LinkedHashMap<>();
                List<Long> pids = server.nodePids();
                for (int i = 0; i < pids.size(); i++) perNode.put(server.nodeIds().get(i), Report.num(a.pidPct(b, pids.get(i))));
                r.put("node_cpu_pct", perNode);
            }
            helperPct.forEach(r::put);
            if (step.sends() && sb && seconds > 0 && stats.delivered.sum() > 0) {
                // 1% of one core is 10,000 µs of CPU per second.
                r.put("cpu_us_per_delivery", serverPct * 10_000 / (stats.delivered.sum() / seconds));
            }
            r.put("slow_consumers", sb ? sum(metrics, "switchboard.slow.consumers") : null)
                    .put("server_errors", countsUnder(metrics, "switchboard.errors."))
                    .put("server_deliveries", sb ? sum(metrics, "switchboard.fanout.deliveries") : null)
                    .put("server_queue_p99_ms", sb ? maxTimerMs(metrics, "switchboard.delivery.latency") : null)
                    .put("server_commit_p99_ms", sb ? maxTimerMs(metrics, "switchboard.persist.latency") : null);
            if (target == Target.CLUSTER) {
                r.put("broker_received", sum(metrics, "switchboard.broker.received"))
                        .put("gaps_filled", sum(metrics, "switchboard.broker.gaps.filled"))
                        .put("redis_publish_failures", sum(metrics, "switchboard.redis.publish.failures"));
            }
            Stats resumed = storm == null ? new Stats() : storm.stats;
            Stats feeders = storm == null ? new Stats() : storm.feederStats;
            r.put("client_errors", Stats.merge(stats.errors(), resumed.errors(), feeders.errors()))
                    .put("closes", Stats.merge(stats.closes(), resumed.closes())).put("open_at_end", open)
                    .put("presence_frames", stats.presence.sum() + resumed.presence.sum())
                    .put("other_frames", stats.other.sum() + resumed.other.sum())
                    .put("skipped_sends", stats.skipped.sum()).put("send_failures", stats.sendFailures.sum())
                    .put("pacer_lag_max_ms", stats.pacerLagMaxNanos.get() / 1e6);
            int warnings = 0;
            for (ServerProcess n : server.nodes) {
                ServerProcess.Warnings w = n.warnings(5);
                warnings += w.count();
                for (String sample : w.samples()) progress.accept((n.nodeId == null ? "" : n.nodeId + " ") + "server log: " + sample);
            }
            r.put("server_warnings", warnings);
            if (!server.alive()) r.put("status", "died").put("reason", "server_exited:" + server.logTail(3));
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            r.put("status", "error").put("reason", msg.length() > 300 ? msg.substring(0, 300) : msg);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        } finally {
            stats.freeze();
            if (storm != null) storm.close();
            if (server != null) server.close();
            if (gen != null) gen.close();
        }
        return r;
    }

    /**
     * Connects {@code prewarm} throw-away connections (own users, own source addresses, not counted), closes them
     * and lets the server settle: what follows is measured on a JIT-warm server, as after a while in production.
     */
    private void prewarm(int port, Wire wire) throws Exception {
        int n = step.prewarm();
        progress.accept("prewarming with " + n + " connections (not measured)");
        List<Conn> conns = connections(n, "w", port, wire, new Stats());
        int clients = Math.max(1, (n + 19_999) / 20_000);
        try (LoadGenerator warm = new LoadGenerator(addresses.getAndAdd(clients), clients, step.ioThreads())) {
            warm.connectAll(conns, step.deflate(), step.connectConcurrency(), min(Duration.ofSeconds(30), step.connectTimeout()), step.connectTimeout());
        }
        Thread.sleep(3000); // the closes are processed and the JIT's queue drains before the measured phase
    }

    /**
     * Users {@code <prefix><i>}, connection i in room {@code r<i mod rooms>} (F: a seeded shuffle of those, see
     * {@link Scenario#shuffledRooms}); tokens minted here, outside any timed phase.
     */
    private List<Conn> connections(int n, String userPrefix, int port, Wire wire, Stats stats) {
        List<Conn> conns = new ArrayList<>(n);
        int[] rooms = Scenario.roomIndexes(n, step.rooms(), step.scenario().shuffledRooms());
        for (int i = 0; i < n; i++) {
            String room = step.scenario().kind == Kind.DIRECT ? null : "r" + rooms[i];
            Conn c = new Conn(i, userPrefix + i, room, wire, stats);
            c.uri = wire.uri(port, c);
            conns.add(c);
        }
        return conns;
    }

    private static ProcStats.Mark mark(Deployment d) {
        return ProcStats.Mark.now(d.nodePids(), d.helperPids());
    }

    /**
     * Asks the nodes which of them holds each connection (by the {@code connectionId} of its {@code welcome}) and
     * records it in the connection; returns the count per node id ({@code unknown} for any not found).
     */
    private static Map<String, Long> placeOnNodes(Deployment d, List<Conn> ready) throws Exception {
        Map<String, Integer> byId = d.nodeOfConnection();
        List<String> ids = d.nodeIds();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String id : ids) counts.put(id, 0L);
        for (Conn c : ready) {
            Integer node = c.connectionId == null ? null : byId.get(c.connectionId);
            c.node = node == null ? -1 : node;
            counts.merge(node == null ? "unknown" : ids.get(node), 1L, Long::sum);
        }
        return counts;
    }

    private static long sum(List<JsonNode> metrics, String name) {
        long n = 0;
        for (JsonNode m : metrics) n += ServerProcess.count(m, name);
        return n;
    }

    private static Map<String, Long> countsUnder(List<JsonNode> metrics, String prefix) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (JsonNode m : metrics) ServerProcess.countsUnder(m, prefix).forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    private static double maxTimerMs(List<JsonNode> metrics, String name) {
        double max = Double.NaN;
        for (JsonNode m : metrics) {
            double v = ServerProcess.timerMs(m, name, "p99");
            if (!Double.isNaN(v)) max = Double.isNaN(max) ? v : Math.max(max, v);
        }
        return max;
    }

    private record Marks(ProcStats.Mark a, ProcStats.Mark b) {}

    /** Paces the sends: warm-up, then the measured window; CPU is read at the window's edges. */
    private Marks send(List<Conn> ready, Wire wire, Stats stats, Deployment d) throws InterruptedException {
        Pacer.Sender sender;
        if (step.scenario().kind == Kind.DIRECT) {
            if (!wire.supportsDirect()) throw new IllegalStateException("target_has_no_direct_messages");
            if (ready.size() < 2) throw new IllegalStateException("fewer_than_2_connections");
            sender = (c, due) -> {
                Conn to;
                do {
                    to = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
                } while (to == c);
                // A direct message reaches the recipient and comes back to the sender's connection.
                c.send(wire.directMessage(c, to.user, due, Frames.text(due, step.payload())), due, 2);
            };
        } else {
            Map<String, Integer> members = new java.util.HashMap<>();
            for (Conn c : ready) members.merge(c.room, 1, Integer::sum);
            int nodes = d.nodes.size();
            // Per room and sender node: members on the other nodes, and how many other nodes hold members.
            Map<String, int[]> perNode = new java.util.HashMap<>();
            for (Conn c : ready) if (c.node >= 0) perNode.computeIfAbsent(c.room, k -> new int[nodes])[c.node]++;
            Map<String, int[][]> cross = new java.util.HashMap<>();
            perNode.forEach((room, k) -> {
                int[][] x = new int[2][nodes];
                for (int from = 0; from < nodes; from++) {
                    for (int to = 0; to < nodes; to++) {
                        if (to == from || k[to] == 0) continue;
                        x[0][from] += k[to];
                        x[1][from]++;
                    }
                }
                cross.put(room, x);
            });
            boolean tag = d.target.fleet();
            sender = (c, due) -> {
                int[][] x = c.node >= 0 ? cross.get(c.room) : null;
                String text = Frames.text(due, step.payload(), tag ? c.node : -1);
                c.send(wire.roomMessage(c, due, text), due, members.get(c.room), x == null ? 0 : x[0][c.node], x == null ? 0 : x[1][c.node]);
            };
        }
        long start = System.nanoTime() + 200_000_000L;
        long windowStart = start + step.warmup().toNanos();
        long windowEnd = windowStart + step.duration().toNanos();
        stats.window(windowStart, windowEnd);
        Pacer pacer = new Pacer(ready, step.rate(), start, windowEnd, step.pacers(), sender, stats);
        pacer.start();
        progress.accept("sending " + Report.num(step.rate() * ready.size()) + " msg/s: warm-up "
                + Params.formatDuration(step.warmup()) + ", then " + Params.formatDuration(step.duration()));
        sleepUntil(windowStart);
        ProcStats.Mark a = mark(d);
        sleepUntil(windowEnd);
        ProcStats.Mark b = mark(d);
        pacer.finish(5000);
        return new Marks(a, b);
    }

    /** Waits for the window's last messages: until all expected deliveries arrived or the drain time is up. */
    private void drain(Stats stats) throws InterruptedException {
        long deadline = System.nanoTime() + step.drain().toNanos();
        Thread.sleep(Math.min(100, step.drain().toMillis())); // the last sends' completions
        Tools.pollUntil(deadline, () -> stats.delivered.sum() >= stats.expected.sum());
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 200)));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
