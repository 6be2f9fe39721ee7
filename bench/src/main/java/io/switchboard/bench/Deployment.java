package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.bench.ServerProcess.Target;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one trial runs against, started fresh for it and stopped after it:
 * <ul>
 *   <li>{@code switchboard}, {@code baseline}: one server process, reached directly (scenarios A–E as always);</li>
 *   <li>{@code pg}: one Switchboard node on a fresh database of the invocation's PostgreSQL, without Redis, behind
 *       HAProxy;</li>
 *   <li>{@code cluster}: two nodes ({@code n1}, {@code n2}) on a fresh database of that PostgreSQL and a fresh
 *       {@code redis-server}, with the same {@code jwt.secret} and {@code admin.token}, behind HAProxy (round robin).</li>
 * </ul>
 * Clients connect to {@link #port()}: HAProxy's when there is one. {@link #nodeOfConnection} asks the nodes' admin API
 * which node holds each connection.
 */
final class Deployment implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Page size of the connection listing ({@code admin.connections.page.max}'s default). */
    private static final int PAGE = 500;

    final Target target;
    final List<ServerProcess> nodes;
    private final Haproxy balancer;
    private final RedisProcess redis;
    private final PostgresServer postgres;

    private Deployment(Target target, List<ServerProcess> nodes, Haproxy balancer, RedisProcess redis, PostgresServer postgres) {
        this.target = target;
        this.nodes = List.copyOf(nodes);
        this.balancer = balancer;
        this.redis = redis;
        this.postgres = postgres;
    }

    /** The settings every fleet node gets besides Switchboard's usual bench settings. */
    static Map<String, String> nodeOptions(String nodeId, String jdbcUrl, String redisUrl) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("db.url", jdbcUrl);
        o.put("db.user", PostgresServer.USER);
        o.put("node.id", nodeId);
        if (redisUrl != null) o.put("redis.url", redisUrl);
        return o;
    }

    /**
     * Starts the target: for a fleet, a new database {@code database} on {@code postgres} (which the caller owns),
     * Redis for a cluster, the nodes (started together, each awaited until {@code /ready}), then HAProxy, awaited
     * until every node is in rotation. Whatever started is stopped again if a later part fails.
     */
    static Deployment start(Target target, ServerProcess.Launch launch, Path dir, String name, int payload,
                            PostgresServer postgres, String database, String adminToken, Duration timeout) throws Exception {
        if (!target.fleet()) {
            ServerProcess server = ServerProcess.start(target, launch, dir, name, payload);
            Deployment d = new Deployment(target, List.of(server), null, null, null);
            try {
                server.awaitReady(timeout);
            } catch (Exception e) {
                d.close();
                throw e;
            }
            return d;
        }
        if (postgres == null) throw new IllegalStateException("the " + target.id + " target needs PostgreSQL");
        String jdbc = postgres.createDatabase(database);
        RedisProcess redis = null;
        List<ServerProcess> nodes = new ArrayList<>();
        Haproxy lb = null;
        try {
            if (target == Target.CLUSTER) redis = RedisProcess.start(dir);
            for (int i = 1; i <= target.nodes(); i++) {
                String id = "n" + i;
                Map<String, String> env = Map.of("SWITCHBOARD_ADMIN_TOKEN", adminToken);
                nodes.add(ServerProcess.start(target, launch, dir.resolve(id), name, payload,
                        new ServerProcess.Node(id, nodeOptions(id, jdbc, redis == null ? null : redis.url()), env, adminToken)));
            }
            for (ServerProcess n : nodes) n.awaitReady(timeout);
            Map<String, Integer> backends = new LinkedHashMap<>();
            for (ServerProcess n : nodes) backends.put(n.nodeId, n.port);
            lb = Haproxy.start(dir, backends);
            lb.awaitAllUp(Duration.ofSeconds(30));
            return new Deployment(target, nodes, lb, redis, postgres);
        } catch (Exception e) {
            new Deployment(target, nodes, lb, redis, postgres).close();
            throw e;
        }
    }

    /** Where clients connect: HAProxy, or the single server. */
    int port() {
        return balancer != null ? balancer.port : nodes.get(0).port;
    }

    List<Long> nodePids() {
        List<Long> out = new ArrayList<>();
        for (ServerProcess n : nodes) out.add(n.pid());
        return out;
    }

    /** The other processes this target runs on, by group ({@code redis}, {@code haproxy}, {@code postgres}), now. */
    Map<String, List<Long>> helperPids() {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        if (redis != null) out.put("redis", List.of(redis.pid()));
        if (balancer != null) out.put("haproxy", List.of(balancer.pid()));
        if (postgres != null) out.put("postgres", postgres.pids());
        return out;
    }

    /** Node ids in node order ({@code n1}, {@code n2}); the target's id for a lone server. */
    List<String> nodeIds() {
        List<String> out = new ArrayList<>();
        for (ServerProcess n : nodes) out.add(n.nodeId != null ? n.nodeId : target.id);
        return out;
    }

    /** Full collection on every node; true if all succeeded. */
    boolean gc() throws InterruptedException {
        boolean all = true;
        for (ServerProcess n : nodes) all &= n.gc();
        return all;
    }

    /** Heap in use on all nodes together, in bytes. */
    long heapUsed() throws IOException, InterruptedException {
        long sum = 0;
        for (ServerProcess n : nodes) sum += n.heapUsed();
        return sum;
    }

    /** RSS of all nodes together, in bytes. */
    long rss() {
        long sum = 0;
        for (ServerProcess n : nodes) sum += n.rss();
        return sum;
    }

    /** Each node's metrics (null entries for the baseline). */
    List<JsonNode> metrics() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        for (ServerProcess n : nodes) out.add(n.metrics());
        return out;
    }

    boolean alive() {
        for (ServerProcess n : nodes) if (!n.alive()) return false;
        return true;
    }

    String logTail(int lines) {
        StringBuilder b = new StringBuilder();
        for (ServerProcess n : nodes) {
            if (!n.alive()) b.append(b.length() > 0 ? " || " : "").append(n.nodeId != null ? n.nodeId + ": " : "").append(n.logTail(lines));
        }
        return b.toString();
    }

    /**
     * Which node holds each connection: connection id to node index (0 for {@code n1}, …). Asks every node for its
     * own connections ({@code GET /api/v1/connections?node=<id>}, pages of {@value #PAGE}), since the {@code welcome}
     * frame does not name the node. A lone server holds them all (an empty map: the caller knows).
     */
    Map<String, Integer> nodeOfConnection() throws IOException, InterruptedException {
        Map<String, Integer> out = new HashMap<>();
        if (!target.fleet()) return out;
        for (int i = 0; i < nodes.size(); i++) {
            ServerProcess n = nodes.get(i);
            String cursor = null;
            int pages = 0;
            do {
                String path = "/api/v1/connections?node=" + enc(n.nodeId) + "&sort=id&limit=" + PAGE
                        + (cursor == null ? "" : "&cursor=" + enc(cursor));
                Page page = parsePage(n.adminGet(path));
                for (String id : page.ids()) out.put(id, i);
                cursor = page.next();
                if (++pages > 10_000) throw new IOException("connection listing of " + n.nodeId + " does not end");
            } while (cursor != null);
        }
        return out;
    }

    /** One page of {@code GET /api/v1/connections}: the connection ids and the next cursor (null at the end). */
    record Page(List<String> ids, String next) {}

    static Page parsePage(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        JsonNode items = root.path("items");
        if (!items.isArray()) throw new IOException("not a connections page: no items");
        List<String> ids = new ArrayList<>();
        for (JsonNode item : items) {
            String id = item.path("id").asText(null);
            if (id != null) ids.add(id);
        }
        JsonNode next = root.path("nextCursor");
        return new Page(ids, next.isTextual() && !next.asText().isEmpty() ? next.asText() : null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Stops HAProxy first (no new connections), then the nodes, then Redis; PostgreSQL belongs to the caller. */
    @Override
    public void close() {
        if (balancer != null) balancer.close();
        List<Thread> stops = new ArrayList<>();
        for (ServerProcess n : nodes) {
            Thread t = new Thread(n::close, "bench-stop-" + n.port); // in parallel: each may take its grace period
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) redis.close();
    }
}
