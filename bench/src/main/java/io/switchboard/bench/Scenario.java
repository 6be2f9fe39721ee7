package io.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The benchmark scenarios, selectable by letter, with their full-scale defaults. */
enum Scenario {
    A("idle", Kind.IDLE, "connect, join a room, hold",
            "conns=10000,50000 room-size=100 rate=0 warmup=0s duration=30s deflate=true"),
    B("fanout", Kind.ROOMS, "clients send into rooms; every member receives",
            "conns=1000 room-size=100 rate=1 warmup=30s duration=30s"),
    C("sweep", Kind.ROOMS, "B's shape at rising rates, up to the last one that passes",
            "conns=1000 room-size=100 rates=0.25,0.5,1,1.5,2,3,4,6,8 warmup=30s duration=15s"),
    D("direct", Kind.DIRECT, "direct messages between random pairs",
            "conns=1000 rate=1 warmup=30s duration=30s"),
    E("storm", Kind.STORM, "authenticated connects as fast as they are accepted, then every client dropped and resumed at once",
            "conns=10000 room-size=10 rate=0 connect-concurrency=1000 warmup=0s duration=0s resume=true storm-messages=5"),
    F("cluster", Kind.ROOMS, "B's rooms on two nodes behind HAProxy, beside one node on the same PostgreSQL and one on H2",
            "conns=1000 room-size=100 rates=0.2,1 warmup=30s duration=30s");

    /** What a scenario does after connecting. */
    enum Kind { IDLE, ROOMS, DIRECT, STORM }

    /** Defaults shared by every scenario (a scenario's own defaults win). */
    static final String COMMON = "payload=100 drain=5s connect-concurrency=256 connect-timeout=300s clients=0 io-threads=0 pacers=1 prewarm=0 "
            + "rooms=0 room-size=100 rate=0 min-ratio=0.99 max-p99-ms=200 deflate=false resume=false storm-messages=5";

    static final int MAX_CONNS = 200_000;
    static final Duration MAX_PHASE = Duration.ofMinutes(10);
    /** At most this many messages per room before and again during the reconnect storm (the replay stays small). */
    static final int MAX_STORM_MESSAGES = 100;

    final String title;
    final Kind kind;
    final String description;
    private final String defaults;

    Scenario(String title, Kind kind, String description, String defaults) {
        this.title = title;
        this.kind = kind;
        this.description = description;
        this.defaults = defaults;
    }

    static Scenario byName(String s) {
        for (Scenario sc : values()) {
            if (sc.name().equalsIgnoreCase(s) || sc.title.equalsIgnoreCase(s)) return sc;
        }
        throw new IllegalArgumentException("unknown scenario '" + s + "' (A idle, B fanout, C sweep, D direct, E storm, F cluster)");
    }

    /**
     * Scenarios run when none is named: those of one server. F needs PostgreSQL, Redis and HAProxy on the machine,
     * so it runs only when asked for ({@code F}, {@code cluster} or {@code all}).
     */
    static List<Scenario> defaults() {
        return List.of(A, B, C, D, E);
    }

    /** What the scenario is measured against unless {@code --targets} says otherwise, in this order per step. */
    List<ServerProcess.Target> defaultTargets() {
        return this == F ? List.of(ServerProcess.Target.CLUSTER, ServerProcess.Target.PG, ServerProcess.Target.SWITCHBOARD)
                : List.of(ServerProcess.Target.SWITCHBOARD, ServerProcess.Target.BASELINE);
    }

    /**
     * Whether room members are drawn at random (seeded, the same for every target) rather than connection i joining
     * room i mod rooms: HAProxy's round robin hands connections to the nodes in turn, so with i mod rooms every member
     * of a room could land on the same node and no delivery would cross.
     */
    boolean shuffledRooms() {
        return this == F;
    }

    /**
     * The room index of each of {@code n} connections: {@code i mod rooms}, or with {@code shuffled} a seeded random
     * permutation of those (rooms keep their sizes).
     */
    static int[] roomIndexes(int n, int rooms, boolean shuffled) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i % rooms;
        if (shuffled) {
            java.util.Random random = new java.util.Random(42);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
        }
        return out;
    }

    /**
     * This scenario's parameters: defaults (scaled down by {@code quick}), then general overrides, then the
     * overrides addressed to this scenario ({@code C.rates=...}).
     */
    Params params(boolean quick, Map<String, String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(parse(COMMON));
        m.putAll(parse(defaults));
        if (quick) {
            List<String> scaled = new ArrayList<>();
            for (String c : m.get("conns").split(",")) scaled.add(String.valueOf(Math.max(10, Integer.parseInt(c) / 10)));
            m.put("conns", String.join(",", scaled));
            if (kind == Kind.ROOMS || kind == Kind.DIRECT) {
                m.put("warmup", "2s");
                m.put("duration", this == C ? "6s" : "8s");
            } else if (kind == Kind.IDLE) {
                m.put("duration", "5s");
            }
        }
        overrides.forEach((k, v) -> {
            if (!k.contains(".")) m.put(k, v);
        });
        overrides.forEach((k, v) -> {
            int dot = k.indexOf('.');
            if (dot > 0 && k.substring(0, dot).equalsIgnoreCase(name())) m.put(k.substring(dot + 1), v);
        });
        return new Params(m);
    }

    /** The concrete steps: one per connection count and, for a sweep, per rate. */
    List<Step> steps(Params p) {
        List<String> connList = p.list("conns");
        List<String> rateList = p.has("rates") ? p.list("rates") : List.of(p.text("rate"));
        List<Step> steps = new ArrayList<>();
        for (String c : connList) {
            for (String r : rateList) {
                Params q = p.with("conns", c).with("rate", r);
                String label = name()
                        + (connList.size() > 1 ? "@" + c : "")
                        + (rateList.size() > 1 ? "@" + r + "/s" : "");
                steps.add(Step.of(this, label, q));
            }
        }
        return steps;
    }

    private static Map<String, String> parse(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : s.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    /** One measured run's parameters, the same for every target. */
    record Step(Scenario scenario, String label, int conns, int rooms, double rate, int payload, Duration warmup,
                Duration duration, Duration drain, int connectConcurrency, Duration connectTimeout, int clients,
                int ioThreads, int pacers, int prewarm, double minRatio, double maxP99Ms, boolean deflate, boolean resume,
                int stormMessages) {

        static Step of(Scenario s, String label, Params p) {
            int conns = p.integer("conns");
            if (conns < 1 || conns > MAX_CONNS) {
                throw new IllegalArgumentException(label + ": conns must be 1 to " + MAX_CONNS + " (got " + conns + ")");
            }
            int rooms = p.integer("rooms");
            if (rooms <= 0) rooms = (conns + p.integer("room-size") - 1) / Math.max(1, p.integer("room-size"));
            rooms = Math.max(1, Math.min(rooms, conns));
            double rate = p.decimal("rate");
            if (rate < 0 || rate > 1000) throw new IllegalArgumentException(label + ": rate must be 0 to 1000 messages/s per client");
            if ((s.kind == Kind.ROOMS || s.kind == Kind.DIRECT) && rate <= 0) {
                throw new IllegalArgumentException(label + ": rate must be above 0 for scenario " + s.name());
            }
            if (s.kind == Kind.DIRECT && conns < 2) throw new IllegalArgumentException(label + ": direct messages need 2 connections");
            int payload = p.integer("payload");
            if (payload < 1 || payload > 60_000) throw new IllegalArgumentException(label + ": payload must be 1 to 60000 bytes");
            int clients = p.integer("clients");
            // ~28k ephemeral ports per source address; stay well below it.
            if (clients <= 0) clients = Math.max(2, (conns + 19_999) / 20_000);
            clients = Math.min(clients, 1000);
            int prewarm = p.integer("prewarm");
            if (prewarm < 0 || prewarm > MAX_CONNS) throw new IllegalArgumentException(label + ": prewarm must be 0 to " + MAX_CONNS);
            int ioThreads = p.integer("io-threads");
            // Few threads: every extra runnable generator thread takes CPU share from the server on a shared host.
            if (ioThreads <= 0) ioThreads = Math.max(4, 3 * Runtime.getRuntime().availableProcessors());
            // The reconnect storm is a phase of E only; elsewhere the parameter is accepted (--resume=false) and ignored.
            boolean resume = p.bool("resume") && s.kind == Kind.STORM;
            int stormMessages = p.integer("storm-messages");
            if (stormMessages < 0 || stormMessages > MAX_STORM_MESSAGES) {
                throw new IllegalArgumentException(label + ": storm-messages must be 0 to " + MAX_STORM_MESSAGES + " per room");
            }
            Step step = new Step(s, label, conns, rooms, rate, payload, bounded(p, "warmup"), bounded(p, "duration"),
                    bounded(p, "drain"), Math.max(1, p.integer("connect-concurrency")), bounded(p, "connect-timeout"),
                    clients, Math.min(ioThreads, 512), Math.max(1, Math.min(16, p.integer("pacers"))), prewarm, p.decimal("min-ratio"),
                    p.decimal("max-p99-ms"), p.bool("deflate"), resume, stormMessages);
            return step;
        }

        private static Duration bounded(Params p, String name) {
            Duration d = p.duration(name);
            if (d.isNegative() || d.compareTo(MAX_PHASE) > 0) {
                throw new IllegalArgumentException(name + " must be 0 to " + Params.formatDuration(MAX_PHASE));
            }
            return d;
        }

        boolean sends() {
            return scenario.kind == Kind.ROOMS || scenario.kind == Kind.DIRECT;
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            b.append(label).append(" (").append(scenario.title).append("): conns=").append(conns);
            if (scenario.kind != Kind.DIRECT) b.append(" rooms=").append(rooms).append(" (~").append((conns + rooms - 1) / rooms).append(" per room)");
            if (sends()) {
                b.append(" rate=").append(Report.num(rate)).append("/s per client payload=").append(payload).append("B warmup=")
                        .append(Params.formatDuration(warmup)).append(" duration=").append(Params.formatDuration(duration));
            } else if (scenario.kind == Kind.IDLE) {
                b.append(" hold=").append(Params.formatDuration(duration));
            } else {
                b.append(" concurrency=").append(connectConcurrency);
                if (resume) b.append(", then every client dropped and reconnected at once (Switchboard resumes with since; storm-messages=").append(stormMessages).append(')');
            }
            if (deflate) b.append(" offering permessage-deflate");
            return b.toString();
        }
    }
}
