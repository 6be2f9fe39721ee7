package io.switchboard.bench;

import io.switchboard.bench.Scenario.Step;
import io.switchboard.bench.ServerProcess.Target;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The benchmark harness: runs the selected scenarios against Switchboard and the baseline server (scenario F: a
 * two-node cluster, one node on PostgreSQL and one on H2), alternately, each step on freshly started server
 * processes, and reports RESULT lines, tables, ratios, the cost of crossing nodes and the sweep chart.
 */
public final class Bench {
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    /**
     * The GC options of the container image (Dockerfile, docs/deploy.md), given to both servers so that memory is
     * measured as deployed: G1; after a collection the heap keeps 10-20% free instead of the JVM's 40-70%, so that
     * committed memory (RSS) follows live data; and an idle JVM collects after 60 s and returns the rest.
     */
    static final List<String> IMAGE_GC_OPTIONS = List.of("-XX:+UseG1GC", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=20", "-XX:G1PeriodicGCInterval=60000");

    private Bench() {}

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage() + "\nTry --help.");
            System.exit(2);
            return;
        }
        if (o.help) {
            OUT.print(usage());
            return;
        }
        try {
            System.exit(run(o));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(Options o) throws IOException {
        if (o.chartFrom != null) return chartFrom(o);
        // Validate every step before starting anything.
        Map<Scenario, List<Step>> plan = new LinkedHashMap<>();
        for (Scenario s : o.scenarios) plan.put(s, s.steps(s.params(o.quick, o.params)));
        Set<Target> planned = EnumSet.noneOf(Target.class);
        for (Scenario s : o.scenarios) planned.addAll(o.targets(s));
        // PostgreSQL, Redis and HAProxy come from the system's packages: say what is missing before anything runs.
        Services.check(planned);
        boolean switchboard = planned.stream().anyMatch(Target::switchboard);
        boolean fleet = planned.stream().anyMatch(Target::fleet);

        Path serverJar = o.serverJar.toAbsolutePath();
        if (switchboard && !Files.isRegularFile(serverJar)) {
            throw new IOException("no server jar at " + serverJar + " (build it: ./mvnw -q -pl server -am package -DskipTests,"
                    + " or pass --server-jar)");
        }
        Path work = o.workDir != null ? Files.createDirectories(o.workDir) : Files.createTempDirectory("switchboard-bench-");
        Path jarCopy = work.resolve("switchboard.jar");
        if (switchboard) {
            // A snapshot, so that a rebuild during the run cannot swap the server under test.
            Files.copy(serverJar, jarCopy, StandardCopyOption.REPLACE_EXISTING);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        byte[] secretBytes = new byte[48];
        new SecureRandom().nextBytes(secretBytes);
        ServerProcess.JfrOptions jfr = o.jfrDuration == null ? null
                : new ServerProcess.JfrOptions(o.jfrDuration, o.jfrDelay, o.jfrDir.toAbsolutePath(), o.jfrTargets);
        List<String> jvmOptions = new ArrayList<>(o.imageGc ? IMAGE_GC_OPTIONS : List.of());
        jvmOptions.addAll(o.jvmOptions);
        ServerProcess.Launch launch = new ServerProcess.Launch(java, jarCopy, System.getProperty("java.class.path"), o.heap,
                jvmOptions, o.serverOptions, Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes), jfr);

        long fdLimit = ProcStats.openFilesLimit();
        OUT.println("# Switchboard bench " + Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
        OUT.println("# host: " + Runtime.getRuntime().availableProcessors() + " cores, load average " + ProcStats.loadAverage()
                + ", open-files limit " + fdLimit + ", java " + System.getProperty("java.version")
                + ", generator heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        OUT.println("# JVM options of both servers: -Xmx" + o.heap + (jvmOptions.isEmpty() ? "" : " " + String.join(" ", jvmOptions))
                + (o.imageGc ? " (the image's GC options; --gc=default for the JVM's own)" : ""));
        if (switchboard) {
            OUT.println("# server: " + serverJar + " (built " + Files.getLastModifiedTime(serverJar).toInstant().truncatedTo(ChronoUnit.SECONDS)
                    + "), heap " + o.heap + (o.serverOptions.isEmpty() ? "" : ", options " + masked(o.serverOptions))
                    + (jfr == null ? "" : ", JFR to " + jfr.dir()));
        }
        if (fleet) {
            OUT.println("# fleet: PostgreSQL " + PostgresServer.binaries() + " (fsync " + (o.pgFsync ? "on" : "off")
                    + (PostgresServer.root() ? ", run as postgres" : "") + "), HAProxy " + Haproxy.binary()
                    + (planned.contains(Target.CLUSTER) ? ", " + RedisProcess.binary() : ""));
        }
        OUT.println("# targets: " + (o.targets == null ? "per scenario" : o.targets) + ", work dir " + work);

        List<Result> all = new ArrayList<>();
        AtomicInteger addresses = new AtomicInteger(1);
        boolean problems = false;
        byte[] tokenBytes = new byte[32];
        new SecureRandom().nextBytes(tokenBytes);
        try (Services services = new Services(work, o.pgFsync, Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes))) {
            for (Map.Entry<Scenario, List<Step>> e : plan.entrySet()) {
                Scenario scenario = e.getKey();
                OUT.println();
                OUT.println("#### Scenario " + scenario.name() + " (" + scenario.title + "): " + scenario.description);
                Set<Target> stopped = EnumSet.noneOf(Target.class); // sweep: a target that failed a rate skips the higher ones
                for (Step step : e.getValue()) {
                    List<Result> stepResults = new ArrayList<>();
                    for (Target target : o.targets(scenario)) {
                        String skip = skipReason(step, target, fdLimit, o.force, stopped.contains(target));
                        Result r;
                        if (skip != null) {
                            r = new Result().put("scenario", scenario.name()).put("step", step.label()).put("target", target.id)
                                    .put("status", "skipped").put("reason", skip).put("conns", step.conns());
                            OUT.println("  [" + step.label() + " " + target.id + "] skipped: " + skip);
                        } else {
                            Path dir = work.resolve(step.label().replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + target.id);
                            String tag = "  [" + step.label() + " " + target.id + "] ";
                            r = new Trial(step, target, launch, dir, addresses, services, msg -> OUT.println(tag + msg)).run();
                            if (!r.ok()) {
                                problems = true;
                                OUT.println(tag + r.get("status") + ": " + r.get("reason") + " (" + (target.fleet()
                                        ? "logs under " + dir : "server log: " + dir.resolve("server.log")) + ")");
                            }
                        }
                        if (scenario == Scenario.C && !o.sweepAll && (!r.ok() || !"true".equals(r.get("pass")))) stopped.add(target);
                        OUT.println(r.line());
                        stepResults.add(r);
                        all.add(r);
                        if (o.results != null) {
                            Files.writeString(o.results, r.line() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        }
                    }
                    Report.step(OUT, step, stepResults);
                    String ratio = Report.ratioLine(stepResults);
                    if (ratio != null) OUT.println(ratio);
                    String cluster = Report.clusterLine(stepResults);
                    if (cluster != null) {
                        OUT.println(cluster);
                        if (o.results != null) {
                            Files.writeString(o.results, cluster + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        }
                    }
                }
            }
        }

        OUT.println();
        OUT.println("#### Summary (host load average now " + ProcStats.loadAverage() + ")");
        Report.summary(OUT, all);
        for (String s : Report.sweepLines(all)) OUT.println(s);
        if (o.chart != null && !Chart.points(all).isEmpty()) {
            double limit = plan.containsKey(Scenario.C) ? plan.get(Scenario.C).get(0).maxP99Ms() : 200;
            chart(o, all, limit);
        }
        if (!o.keep && !problems && o.workDir == null) deleteTree(work);
        else OUT.println("kept: " + work);
        return problems ? 1 : 0;
    }

    private static void chart(Options o, List<Result> results, double limitMs) throws IOException {
        String subtitle = Chart.subtitle(results, Runtime.getRuntime().availableProcessors());
        if (o.chartNote != null) subtitle += "; " + o.chartNote;
        if (Chart.write(o.chart, results, subtitle, limitMs)) OUT.println("chart: " + o.chart.toAbsolutePath());
        else OUT.println("chart: no sweep (scenario C) results to draw");
    }

    /** Redraws the chart from RESULT lines saved with --results (or a captured report), without running anything. */
    static int chartFrom(Options o) throws IOException {
        List<Result> results = new ArrayList<>();
        for (String line : Files.readAllLines(o.chartFrom)) {
            Result r = Result.parse(line);
            if (r != null) results.add(r);
        }
        if (o.chart == null) throw new IllegalArgumentException("--chart-from needs a --chart path");
        chart(o, results, o.chartLimit);
        for (String s : Report.sweepLines(results)) OUT.println(s);
        return 0;
    }

    /** Server options for printing: values of secret-looking keys (password, secret, token) hidden. */
    static Map<String, String> masked(Map<String, String> options) {
        Map<String, String> out = new LinkedHashMap<>();
        options.forEach((k, v) -> out.put(k, k.matches(".*(password|secret|token).*") ? "***" : v));
        return out;
    }

    static String skipReason(Step step, Target target, long fdLimit, boolean force, boolean sweepStopped) {
        if (sweepStopped) return "a_lower_rate_failed";
        if (step.scenario() == Scenario.D && target == Target.BASELINE) return "baseline_has_no_direct_messages";
        if (step.scenario() == Scenario.F && target == Target.BASELINE) return "baseline_has_no_cluster_counterpart";
        long need = step.conns() + 1024L;
        if (!force && fdLimit > 0 && need > fdLimit) {
            return "open_files_limit_" + fdLimit + "_below_" + need + "_(raise_ulimit_-n_or_pass_--force)";
        }
        return null;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    static String usage() {
        return """
                Switchboard benchmark harness (see docs/benchmarks.md)

                Usage: java -jar bench/target/switchboard-bench.jar [SCENARIO ...] [--option=value ...]
                       bench/run.sh [same arguments]

                Scenarios (default: A to E, in this order; "all" adds F):
                  A  idle     connect, join a room, hold          conns=10000,50000 room-size=100 duration=30s
                  B  fanout   rooms of 100, 1 msg/s per client    conns=1000 room-size=100 rate=1 warmup=30s duration=30s
                  C  sweep    B's shape at rising rates           rates=0.25,0.5,1,1.5,2,3,4,6,8 warmup=30s duration=15s
                  D  direct   DMs between random pairs            conns=1000 rate=1 warmup=30s duration=30s (Switchboard only)
                  E  storm    connects as fast as accepted, then  conns=10000 room-size=10 connect-concurrency=1000
                              every client dropped and resumed    resume=true storm-messages=5
                  F  cluster  B's rooms on 2 nodes behind HAProxy conns=1000 room-size=100 rates=0.2,1 warmup=30s duration=30s
                              (targets cluster,pg,switchboard; needs PostgreSQL, redis-server and haproxy installed)

                Scenario parameters, for every selected scenario (--conns=500) or for one (--C.rates=1,2,4):
                  conns              connections (a list runs one step each: --A.conns=10000,50000)
                  rooms | room-size  number of rooms, or members per room (rooms wins when set)
                  rate | rates       messages per second per client (rates: a list, one step each)
                  payload            message text length in bytes (100)
                  warmup, duration   sending before / during the measurement window (500ms, 10s, 2m)
                  drain              how long to wait for the window's last deliveries (5s)
                  connect-concurrency, connect-timeout   handshakes in flight (256), connect phase bound (300s)
                  clients            loopback source addresses / Jetty clients (auto: 2, or 1 per 20k connections)
                  io-threads         generator I/O threads (auto: 3 per core, at least 4)
                  pacers             sending threads (1)
                  prewarm            throw-away connections made and closed first, on the same server, so that
                                     the step measures a JIT-warm server (0)
                  min-ratio, max-p99-ms   pass criteria of a load step and the sweep (0.99, 200)
                  deflate            offer permessage-deflate as Chrome does, "permessage-deflate;
                                     client_max_window_bits" (true for A, false elsewhere: --A.deflate=false)
                  resume             E only: after the connect phase, drop every connection at once and reconnect
                                     (Switchboard: join with since and epoch; baseline: plain reconnect) (E: true)
                  storm-messages     messages per room before the drop, and again while the clients are away,
                                     from separate feeder connections (5; 0 to 100)

                Options:
                  --targets=LIST           what to measure, in this order per step: switchboard (one node, H2),
                                           baseline, pg (one node on PostgreSQL behind HAProxy), cluster (two
                                           nodes on PostgreSQL and Redis behind HAProxy). Default: F
                                           cluster,pg,switchboard; the others switchboard,baseline
                  --pg-fsync               run the harness's PostgreSQL with fsync on (default off, like H2's default)
                  --server-jar=PATH        Switchboard fat jar (server/target/switchboard.jar)
                  --heap=2g                -Xmx of the server under test (both targets)
                  --jvm-opt=OPT            extra JVM option for the server (repeatable)
                  --gc=image|default       both servers run with the container image's GC options (image:
                                           G1, heap free ratio 10-20%, periodic GC after 60 s idle) or the JVM's
                  --server-opt=KEY=VALUE   extra Switchboard setting, e.g. db.batch.size=512 (repeatable)
                  --jfr=DURATION           record the server with -XX:StartFlightRecording=duration=...,filename=...
                  --jfr-delay=DURATION     start the recording this long after the server starts
                  --jfr-dir=DIR            where recordings go (bench/target/jfr), one per step and target
                  --jfr-targets=LIST       which targets to record (switchboard)
                  --chart=PATH             the sweep chart (docs/bench-p99-vs-rate.png); --no-chart to skip
                  --chart-note=TEXT        appended to the chart's subtitle
                  --chart-from=FILE        only redraw the chart from RESULT lines in FILE (see --results); runs nothing
                  --chart-limit-ms=200     the p99 limit line drawn with --chart-from
                  --results=FILE           also append every RESULT line to FILE
                  --sweep-all              run every rate of the sweep (default: a target stops at its first failed rate)
                  --quick                  reduced scale: a tenth of the connections, short warm-up and duration
                  --work-dir=DIR           server data dirs and logs (default: a temp dir, deleted unless a step failed)
                  --keep                   keep the work dir
                  --force                  run steps that need more open files than the limit allows
                """;
    }

    /** Parsed command line. */
    static final class Options {
        final List<Scenario> scenarios = new ArrayList<>();
        final Map<String, String> params = new LinkedHashMap<>();
        /** Null: each scenario's own {@link Scenario#defaultTargets()}. */
        List<Target> targets;
        boolean pgFsync;
        Path serverJar = Path.of("server/target/switchboard.jar");
        String heap = "2g";
        /** Start both servers with {@link #IMAGE_GC_OPTIONS} (--gc=image, the default) or with the JVM's defaults. */
        boolean imageGc = true;
        final List<String> jvmOptions = new ArrayList<>();
        final Map<String, String> serverOptions = new LinkedHashMap<>();
        String jfrDuration;
        String jfrDelay;
        Path jfrDir = Path.of("bench/target/jfr");
        Set<Target> jfrTargets = EnumSet.of(Target.SWITCHBOARD, Target.PG, Target.CLUSTER);
        Path chart = Path.of("docs/bench-p99-vs-rate.png");
        String chartNote;
        Path chartFrom;
        double chartLimit = 200;
        Path results;
        Path workDir;
        boolean quick;
        boolean keep;
        boolean force;
        boolean sweepAll;
        boolean help;

        private static final Set<String> FLAGS = Set.of("quick", "keep", "force", "help", "no-chart", "sweep-all", "pg-fsync");

        /** What {@code scenario} is measured against: {@code --targets}, else the scenario's defaults. */
        List<Target> targets(Scenario scenario) {
            return targets != null ? targets : scenario.defaultTargets();
        }

        static Options parse(String[] args) {
            Options o = new Options();
            Set<Scenario> seen = new HashSet<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h")) a = "--help";
                if (!a.startsWith("--")) {
                    if (a.equalsIgnoreCase("all")) {
                        for (Scenario s : Scenario.values()) if (seen.add(s)) o.scenarios.add(s);
                    } else {
                        Scenario s = Scenario.byName(a);
                        if (seen.add(s)) o.scenarios.add(s);
                    }
                    continue;
                }
                String key = a.substring(2);
                String value = null;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (!FLAGS.contains(key)) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--" + key + " needs a value");
                    value = args[++i];
                }
                o.set(key, value);
            }
            if (o.scenarios.isEmpty()) o.scenarios.addAll(Scenario.defaults());
            return o;
        }

        private void set(String key, String value) {
            switch (key) {
                case "quick" -> quick = true;
                case "keep" -> keep = true;
                case "force" -> force = true;
                case "sweep-all" -> sweepAll = true;
                case "pg-fsync" -> pgFsync = true;
                case "help" -> help = true;
                case "no-chart" -> chart = null;
                case "targets" -> {
                    List<Target> t = new ArrayList<>();
                    for (String s : value.split(",")) if (!s.isBlank()) t.add(Target.byName(s));
                    if (t.isEmpty()) throw new IllegalArgumentException("--targets needs at least one target");
                    targets = List.copyOf(t);
                }
                case "server-jar" -> serverJar = Path.of(value);
                case "heap" -> {
                    if (!value.matches("\\d+[kKmMgG]?")) throw new IllegalArgumentException("--heap must look like 512m or 2g");
                    heap = value;
                }
                case "jvm-opt" -> jvmOptions.add(value);
                case "gc" -> {
                    if (!value.equals("image") && !value.equals("default")) throw new IllegalArgumentException("--gc is image or default");
                    imageGc = value.equals("image");
                }
                case "server-opt" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--server-opt needs KEY=VALUE, e.g. db.batch.size=512");
                    serverOptions.put(value.substring(0, eq), value.substring(eq + 1));
                }
                case "jfr" -> {
                    Params.parseDuration(value, "--jfr");
                    jfrDuration = value;
                }
                case "jfr-delay" -> {
                    Params.parseDuration(value, "--jfr-delay");
                    jfrDelay = value;
                }
                case "jfr-dir" -> jfrDir = Path.of(value);
                case "jfr-targets" -> {
                    Set<Target> t = EnumSet.noneOf(Target.class);
                    for (String s : value.split(",")) if (!s.isBlank()) t.add(Target.byName(s));
                    jfrTargets = t;
                }
                case "chart" -> chart = Path.of(value);
                case "chart-note" -> chartNote = value;
                case "chart-from" -> chartFrom = Path.of(value);
                case "chart-limit-ms" -> chartLimit = Double.parseDouble(value);
                case "results" -> results = Path.of(value);
                case "work-dir" -> workDir = Path.of(value);
                default -> {
                    int dot = key.indexOf('.');
                    String name = dot > 0 ? key.substring(dot + 1) : key;
                    if (dot > 0) Scenario.byName(key.substring(0, dot));
                    if (!Params.NAMES.contains(name)) throw new IllegalArgumentException("unknown option --" + key);
                    if (value == null || value.isBlank()) throw new IllegalArgumentException("--" + key + " needs a value");
                    params.put(key, value);
                }
            }
        }
    }
}
