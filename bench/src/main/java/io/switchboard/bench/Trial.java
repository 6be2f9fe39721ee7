package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.bench.Scenario.Kind;
import io.switchboard.bench.Scenario.Step;
import io.switchboard.bench.ServerProcess.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One step against one target: start a fresh server, measure it idle, connect every client, measure memory,
 * then hold (A), time the connects (E) or send for warm-up + duration and drain (B, C, D), and stop the server.
 */
final class Trial {
    private static final double MB = 1024.0 * 1024.0;

    private final Step step;
    private final Target target;
    private final ServerProcess.Launch launch;
    private final Path dir;
    private final AtomicInteger addresses;
    private final Consumer<String> progress;

    Trial(Step step, Target target, ServerProcess.Launch launch, Path dir, AtomicInteger addresses, Consumer<String> progress) {
        this.step = step;
        this.target = target;
        this.launch = launch;
        this.dir = dir;
        this.addresses = addresses;
        this.progress = progress;
    }

    Result run() {
        Result r = new Result().put("scenario", step.scenario().name()).put("step", step.label()).put("target", target.id);
        Kind kind = step.scenario().kind;
        r.put("status", "ok").put("conns", step.conns()).put("rooms", kind == Kind.DIRECT ? 0 : step.rooms())
                .put("rate", step.sends() ? step.rate() : 0.0).put("payload", step.payload());
        Stats stats = new Stats();
        ServerProcess server = null;
        LoadGenerator gen = null;
        try {
            progress.accept("starting " + target.id);
            server = ServerProcess.start(target, launch, dir, step.label(), step.payload());
            server.awaitReady(Duration.ofSeconds(90));
            Thread.sleep(500);
            boolean gc = server.gc();
            long heapBefore = server.heapUsed();
            long rssBefore = server.rss();
            r.put("gc", gc ? "yes" : "no");

            Wire wire = target == Target.SWITCHBOARD ? new Wire.Switchboard(launch.jwtSecret()) : new Wire.Baseline();
            List<Conn> conns = connections(step.conns(), "u", server, wire, stats);
            if (step.prewarm() > 0) prewarm(server, wire);
            int first = addresses.getAndAdd(step.clients());
            gen = new LoadGenerator(first, step.clients(), step.ioThreads());
            progress.accept("connecting " + step.conns() + " from " + String.join(",", gen.sources));

            ProcStats.Mark c0 = ProcStats.Mark.now(server.pid());
            gen.connectAll(conns, step.connectConcurrency(), min(Duration.ofSeconds(30), step.connectTimeout()), step.connectTimeout());
            List<Conn> ready = new ArrayList<>();
            long lastReady = c0.wallNanos();
            for (Conn c : conns) {
                if (c.ready.isDone() && !c.ready.isCompletedExceptionally()) {
                    ready.add(c);
                    lastReady = Math.max(lastReady, c.readyNanos);
                }
            }
            ProcStats.Mark c1 = ProcStats.Mark.now(server.pid());
            double connectSeconds = Math.max(1e-3, (lastReady - c0.wallNanos()) / 1e9);
            Histogram connect = stats.connectLatency();
            r.put("established", ready.size()).put("failed", step.conns() - ready.size())
                    .put("connect_failures", stats.connectFailures())
                    .put("connect_s", connectSeconds).put("connect_per_s", ready.size() / connectSeconds)
                    .put("connect_p50_ms", ms(connect, 50)).put("connect_p99_ms", ms(connect, 99))
                    .put("connect_max_ms", connect.getTotalCount() == 0 ? Double.NaN : connect.getMaxValue() / 1000.0)
                    .put("connect_server_cpu_pct", c0.serverPct(c1)).put("connect_gen_cpu_pct", c0.ownPct(c1))
                    .put("connect_server_threads", c0.serverThreads(c1, 4));
            progress.accept(ready.size() + " connected in " + Report.num(connectSeconds) + " s");

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
            switch (kind) {
                case STORM -> {
                    a = c0;
                    b = c1;
                }
                case IDLE -> {
                    progress.accept("holding " + Params.formatDuration(step.duration()));
                    a = ProcStats.Mark.now(server.pid());
                    Thread.sleep(step.duration().toMillis());
                    b = ProcStats.Mark.now(server.pid());
                }
                default -> {
                    Marks m = send(ready, wire, stats, server.pid());
                    a = m.a();
                    b = m.b();
                    seconds = step.duration().toNanos() / 1e9;
                    drain(stats);
                }
            }
            stats.freeze();
            int open = 0;
            for (Conn c : ready) if (c.open()) open++;

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
                if (target == Target.SWITCHBOARD) {
                    r.put("acks", stats.acks.sum()).put("ack_p50_ms", ms(ack, 50)).put("ack_p99_ms", ms(ack, 99));
                }
                boolean pass = ready.size() == step.conns() && !Double.isNaN(ratio) && ratio >= step.minRatio()
                        && p99 < step.maxP99Ms();
                r.put("pass", pass);
            }
            JsonNode metrics = server.metrics();
            r.put("server_cpu_pct", a.serverPct(b)).put("server_threads", a.serverThreads(b, 4)).put("gen_cpu_pct", a.ownPct(b)).put("host_cpu_pct", a.hostPct(b))
                    .put("other_cpu_pct", Math.max(0, a.hostPct(b) - a.serverPct(b) - a.ownPct(b)))
                    .put("slow_consumers", target == Target.SWITCHBOARD ? ServerProcess.count(metrics, "switchboard.slow.consumers") : null)
                    .put("server_errors", ServerProcess.countsUnder(metrics, "switchboard.errors."))
                    .put("server_deliveries", target == Target.SWITCHBOARD ? ServerProcess.count(metrics, "switchboard.fanout.deliveries") : null)
                    .put("server_queue_p99_ms", target == Target.SWITCHBOARD ? ServerProcess.timerMs(metrics, "switchboard.delivery.latency", "p99") : null)
                    .put("server_commit_p99_ms", target == Target.SWITCHBOARD ? ServerProcess.timerMs(metrics, "switchboard.persist.latency", "p99") : null)
                    .put("client_errors", stats.errors()).put("closes", stats.closes()).put("open_at_end", open)
                    .put("presence_frames", stats.presence.sum()).put("other_frames", stats.other.sum())
                    .put("skipped_sends", stats.skipped.sum()).put("send_failures", stats.sendFailures.sum())
                    .put("pacer_lag_max_ms", stats.pacerLagMaxNanos.get() / 1e6);
            ServerProcess.Warnings w = server.warnings(5);
            r.put("server_warnings", w.count());
            for (int i = 0; i < w.samples().size(); i++) progress.accept("server log: " + w.samples().get(i));
            if (!server.alive()) r.put("status", "died").put("reason", "server_exited:" + server.logTail(3));
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            r.put("status", "error").put("reason", msg.length() > 300 ? msg.substring(0, 300) : msg);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        } finally {
            stats.freeze();
            if (server != null) server.close();
            if (gen != null) gen.close();
        }
        return r;
    }

    /**
     * Connects {@code prewarm} throw-away connections (own users, own source addresses, not counted), closes them
     * and lets the server settle: what follows is measured on a JIT-warm server, as after a while in production.
     */
    private void prewarm(ServerProcess server, Wire wire) throws Exception {
        int n = step.prewarm();
        progress.accept("prewarming with " + n + " connections (not measured)");
        List<Conn> conns = connections(n, "w", server, wire, new Stats());
        int clients = Math.max(1, (n + 19_999) / 20_000);
        try (LoadGenerator warm = new LoadGenerator(addresses.getAndAdd(clients), clients, step.ioThreads())) {
            warm.connectAll(conns, step.connectConcurrency(), min(Duration.ofSeconds(30), step.connectTimeout()), step.connectTimeout());
        }
        Thread.sleep(3000); // the closes are processed and the JIT's queue drains before the measured phase
    }

    /** Users {@code <prefix><i>}, connection i in room {@code r<i mod rooms>}; tokens minted here, outside any timed phase. */
    private List<Conn> connections(int n, String userPrefix, ServerProcess server, Wire wire, Stats stats) {
        List<Conn> conns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String room = step.scenario().kind == Kind.DIRECT ? null : "r" + (i % step.rooms());
            Conn c = new Conn(i, userPrefix + i, room, wire, stats);
            c.uri = wire.uri(server.port, c);
            conns.add(c);
        }
        return conns;
    }

    private record Marks(ProcStats.Mark a, ProcStats.Mark b) {}

    /** Paces the sends: warm-up, then the measured window; CPU is read at the window's edges. */
    private Marks send(List<Conn> ready, Wire wire, Stats stats, long pid) throws InterruptedException {
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
            sender = (c, due) -> c.send(wire.roomMessage(c, due, Frames.text(due, step.payload())), due, members.get(c.room));
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
        ProcStats.Mark a = ProcStats.Mark.now(pid);
        sleepUntil(windowEnd);
        ProcStats.Mark b = ProcStats.Mark.now(pid);
        pacer.finish(5000);
        return new Marks(a, b);
    }

    /** Waits for the window's last messages: until all expected deliveries arrived or the drain time is up. */
    private void drain(Stats stats) throws InterruptedException {
        long deadline = System.nanoTime() + step.drain().toNanos();
        Thread.sleep(Math.min(100, step.drain().toMillis())); // the last sends' completions
        while (System.nanoTime() < deadline && stats.delivered.sum() < stats.expected.sum()) Thread.sleep(20);
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
