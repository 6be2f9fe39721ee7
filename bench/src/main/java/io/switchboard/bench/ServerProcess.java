package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server under test, as a separate process: Switchboard from its fat jar, or the {@link BaselineServer}
 * from this jar. Knows how to wait for it, read its CPU and RSS from /proc, its heap and counters over HTTP,
 * make it collect garbage (jcmd), and stop it.
 */
final class ServerProcess implements AutoCloseable {
    /**
     * What the harness measures: Switchboard alone on its embedded H2, reached directly (the default); the baseline;
     * one Switchboard node on PostgreSQL without Redis, behind HAProxy ({@code pg}); two Switchboard nodes on
     * PostgreSQL and Redis, behind HAProxy ({@code cluster}). See {@link Deployment}.
     */
    enum Target {
        SWITCHBOARD("switchboard"), BASELINE("baseline"), PG("pg"), CLUSTER("cluster");

        final String id;

        Target(String id) {
            this.id = id;
        }

        static Target byName(String s) {
            for (Target t : values()) if (t.id.equalsIgnoreCase(s.trim())) return t;
            throw new IllegalArgumentException("unknown target '" + s + "' (switchboard, baseline, pg, cluster)");
        }

        /** Runs Switchboard (any database, any number of nodes), as opposed to the baseline. */
        boolean switchboard() {
            return this != BASELINE;
        }

        /** Needs PostgreSQL, HAProxy (and, for the cluster, Redis) started by the harness. */
        boolean fleet() {
            return this == PG || this == CLUSTER;
        }

        /** Switchboard nodes this target runs. */
        int nodes() {
            return this == CLUSTER ? 2 : 1;
        }
    }

    /**
     * One Switchboard node of a fleet: its id ({@code node.id}), settings added to the usual ones (database, Redis),
     * environment (secrets: never on the command line) and the admin token those secrets set.
     */
    record Node(String id, Map<String, String> options, Map<String, String> env, String adminToken) {}

    /** How to start servers; the same for every run of one invocation. */
    record Launch(String java, Path serverJar, String benchClasspath, String heap, List<String> jvmOptions,
                  Map<String, String> serverOptions, String jwtSecret, JfrOptions jfr) {}

    /** Flight recording of the server process, for profiling. */
    record JfrOptions(String duration, String delay, Path dir, Set<Target> targets) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Servers still running; killed if the harness itself is stopped (Ctrl-C) mid-run. */
    private static final Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "bench-kill-servers"));
    }

    /** Kills {@code p} if the harness is stopped before it is; {@link #untrack} once it is stopped. */
    static Process track(Process p) {
        LIVE.add(p);
        return p;
    }

    static void untrack(Process p) {
        LIVE.remove(p);
    }
    private static final Pattern LOG_LEVEL = Pattern.compile("^\\S+ (WARN|ERROR) +\\[[^]]*] (.*)$");

    final Target target;
    final int port;
    final Path dir;
    final Path log;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String javaCommand;
    /** The node id of a fleet node ({@code node.id}), else null. */
    final String nodeId;
    private String adminToken;

    private ServerProcess(Target target, int port, Path dir, Path log, Process process, String java, Node node) {
        this.target = target;
        this.port = port;
        this.dir = dir;
        this.log = log;
        this.process = process;
        this.javaCommand = java;
        this.nodeId = node == null ? null : node.id();
        this.adminToken = node == null ? null : node.adminToken();
    }

    static ServerProcess start(Target target, Launch launch, Path dir, String name, int payload) throws IOException {
        return start(target, launch, dir, name, payload, null);
    }

    /**
     * Starts a server; {@code node} (for the {@code pg} and {@code cluster} targets) adds its settings and
     * environment to Switchboard's usual command and names the JFR file after the node too.
     */
    static ServerProcess start(Target target, Launch launch, Path dir, String name, int payload, Node node) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.java());
        cmd.add("-Xmx" + launch.heap());
        cmd.addAll(launch.jvmOptions());
        JfrOptions jfr = launch.jfr();
        if (jfr != null && jfr.targets().contains(target)) {
            Files.createDirectories(jfr.dir());
            Path file = jfr.dir().resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + target.id
                    + (node == null ? "" : "-" + node.id()) + ".jfr").toAbsolutePath();
            cmd.add("-XX:StartFlightRecording=duration=" + jfr.duration() + (jfr.delay() != null ? ",delay=" + jfr.delay() : "")
                    + ",settings=profile,filename=" + file);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // A stray SWITCHBOARD_* variable in the caller's environment must not change the server under test.
        pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
        if (target.switchboard()) {
            cmd.addAll(List.of("-jar", launch.serverJar().toString(),
                    "--host=127.0.0.1", "--port=" + port, "--data-dir=" + dir.resolve("data"),
                    // Raised for load: every generated client is its own user on a handful of loopback addresses.
                    "--limits-connections-per-ip=10000000", "--limits-connections-per-user=1000",
                    "--limits-rate=100000", "--limits-burst=100000", "--limits-violations-per-minute=1000000",
                    "--limits-text-chars=" + Math.max(4000, payload + 64),
                    "--limits-frame-bytes=" + Math.max(16384, payload * 2 + 1024),
                    "--shutdown-grace=5s", "--drain-delay=0", "--drain-window=0"));
            if (node != null) node.options().forEach((k, v) -> cmd.add("--" + k.replace('.', '-') + "=" + v));
            launch.serverOptions().forEach((k, v) -> cmd.add("--" + k.replace('.', '-') + "=" + v));
            pb.environment().put("SWITCHBOARD_JWT_SECRET", launch.jwtSecret());
            if (node != null) pb.environment().putAll(node.env());
        } else {
            cmd.addAll(List.of("-cp", launch.benchClasspath(), BaselineServer.class.getName(),
                    "--host", "127.0.0.1", "--port", String.valueOf(port)));
        }
        pb.command(cmd);
        Path log = dir.resolve("server.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Files.writeString(dir.resolve("command.txt"), String.join(" ", cmd)
                .replaceAll("(--[a-z-]*(?:password|secret|token)[a-z-]*=)\\S+", "$1***") + "\n");
        Process process = track(pb.start());
        return new ServerProcess(target, port, dir, log, process, launch.java(), node);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits for the health (or heap) endpoint to answer 200 — for a fleet node {@code /ready}, which also needs its
     * database claim and, in a cluster, a live Redis subscription; fails early if the process dies.
     */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String path = target == Target.BASELINE ? "/heap" : nodeId != null ? "/ready" : "/health";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(target.id + " exited with " + process.exitValue() + " during start-up: " + logTail(5));
            }
            try {
                if (get(path, false).statusCode() == 200) {
                    if (target.switchboard() && adminToken == null) {
                        adminToken = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
                    }
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(target.id + " did not become ready within " + timeout.toSeconds() + " s: " + logTail(5));
    }

    /** {@code GET path} with the admin token; throws unless it answers 200. */
    String adminGet(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path, true);
        if (r.statusCode() != 200) throw new IOException("GET " + path.replaceAll("\\?.*", "") + " answered " + r.statusCode());
        return r.body();
    }

    private HttpResponse<String> get(String path, boolean admin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (admin) b.header("Authorization", "Bearer " + adminToken);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Switchboard's Dropwizard metrics (GET /api/v1/metrics with the admin token); null for the baseline. */
    JsonNode metrics() throws IOException, InterruptedException {
        if (!target.switchboard()) return null;
        HttpResponse<String> r = get("/api/v1/metrics", true);
        if (r.statusCode() != 200) throw new IOException("GET /api/v1/metrics answered " + r.statusCode());
        return JSON.readTree(r.body());
    }

    /** Heap in use, in bytes, as the server reports it. */
    long heapUsed() throws IOException, InterruptedException {
        if (target.switchboard()) return metrics().path("gauges").path("jvm.memory.heap.used").path("value").asLong(-1);
        for (String line : get("/heap", false).body().split("\n")) {
            if (line.startsWith("heap_used ")) return Long.parseLong(line.substring(10).trim());
        }
        return -1;
    }

    /** A meter's or counter's count from the metrics, or 0. */
    static long count(JsonNode metrics, String name) {
        if (metrics == null) return 0;
        for (String section : List.of("meters", "counters", "timers")) {
            JsonNode n = metrics.path(section).path(name);
            if (!n.isMissingNode()) return n.path("count").asLong(0);
        }
        return 0;
    }

    /** A timer's quantile in milliseconds ({@code p99}), or NaN when the server has no such timer. */
    static double timerMs(JsonNode metrics, String name, String quantile) {
        if (metrics == null) return Double.NaN;
        JsonNode n = metrics.path("timers").path(name).path(quantile);
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    /** Non-zero meters under a prefix ({@code switchboard.errors.} → {@code rate_limited=3}). */
    static Map<String, Long> countsUnder(JsonNode metrics, String prefix) {
        Map<String, Long> out = new TreeMap<>();
        if (metrics == null) return out;
        Iterator<Map.Entry<String, JsonNode>> it = metrics.path("meters").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            long c = e.getValue().path("count").asLong(0);
            if (e.getKey().startsWith(prefix) && c > 0) out.put(e.getKey().substring(prefix.length()), c);
        }
        return out;
    }

    /**
     * Asks the JVM for a full collection (jcmd GC.run), so that heap readings show live data, then lets the RSS settle:
     * G1 hands the regions a collection freed back to the OS from a background thread, so a reading taken at once can
     * still count hundreds of MB that are about to go. Samples every 100 ms until two readings in a row differ by
     * less than 1 MB, for at most 5 s (a measurement pause, not a wait for a condition of the server's behaviour).
     */
    boolean gc() throws InterruptedException {
        boolean done = fullCollection();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = rss();
        while (System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
            long now = rss();
            if (Math.abs(now - last) < 1 << 20) break;
            last = now;
        }
        return done;
    }

    private boolean fullCollection() throws InterruptedException {
        Path jcmd = Path.of(javaCommand).resolveSibling("jcmd");
        try {
            Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    long rss() {
        return ProcStats.processRss(pid());
    }

    /** WARN and ERROR lines in the server's log: their number and up to {@code max} distinct messages. */
    Warnings warnings(int max) {
        int n = 0;
        Set<String> distinct = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(log)) {
                Matcher m = LOG_LEVEL.matcher(line);
                if (m.matches()) {
                    n++;
                    if (distinct.size() < max) distinct.add(m.group(1) + " " + m.group(2).replaceAll("\\d+", "N"));
                } else if (line.startsWith("Exception") || line.contains("OutOfMemoryError")) {
                    n++;
                    if (distinct.size() < max) distinct.add(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable log: report none
        }
        return new Warnings(n, List.copyOf(distinct));
    }

    /** Problems the server logged. */
    record Warnings(int count, List<String> samples) {}

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        untrack(process);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
