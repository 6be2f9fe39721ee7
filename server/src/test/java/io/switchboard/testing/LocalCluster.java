package io.switchboard.testing;

import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.Secrets;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A whole cluster on loopback for a test: a throw-away PostgreSQL, a {@code redis-server}, N Switchboard nodes as
 * their own JVMs ({@link NodeProcess}, named {@code n1..nN}, node ids the same) sharing one client-token secret and
 * one admin token, and HAProxy in front ({@link LoadBalancer}). Everything is stopped and deleted on close.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().nodes(3).set("presence.ttl", "5s").start()) {
 *     WsClient a = WsClient.connected(cluster.node(0).ws(cluster.token("alice")));   // straight to n1
 *     WsClient b = WsClient.connected(cluster.lb().ws(cluster.token("bob")));        // through the balancer
 *     cluster.node(1).kill();                                  // SIGKILL n2
 *     cluster.redis().restart();
 *     cluster.awaitReady(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
    /** Time a node JVM gets to start and become ready on a busy 2-core machine. */
    public static final Duration START = Duration.ofSeconds(90);

    private final Postgres postgres;
    private final RedisServer redis;
    private final List<NodeProcess> nodes;
    private final LoadBalancer lb;
    private final String jwtSecret;
    private final String adminToken;
    private final ClientTokens tokens;

    private LocalCluster(Postgres postgres, RedisServer redis, List<NodeProcess> nodes, LoadBalancer lb,
                         String jwtSecret, String adminToken) {
        this.postgres = postgres;
        this.redis = redis;
        this.nodes = nodes;
        this.lb = lb;
        this.jwtSecret = jwtSecret;
        this.adminToken = adminToken;
        this.tokens = new ClientTokens(jwtSecret, Clock.systemUTC());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the cluster is made of. */
    public static final class Builder {
        private int nodes = 3;
        private boolean loadBalancer = true;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Function<NodeProcess.Builder, NodeProcess.Builder> perNode = b -> b;

        /** How many nodes (default 3). */
        public Builder nodes(int n) {
            this.nodes = n;
            return this;
        }

        /** A setting for every node, by key name. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** Whether to put HAProxy in front (default true). */
        public Builder loadBalancer(boolean on) {
            this.loadBalancer = on;
            return this;
        }

        /** A last word on each node's builder (JVM options, a per-node setting). */
        public Builder eachNode(Function<NodeProcess.Builder, NodeProcess.Builder> customize) {
            this.perNode = customize;
            return this;
        }

        /** Starts everything and waits until every node is ready and in the balancer's rotation. */
        public LocalCluster start() {
            Postgres pg = null;
            RedisServer redis = null;
            List<NodeProcess> started = new ArrayList<>();
            LoadBalancer lb = null;
            try {
                pg = Postgres.start();
                redis = RedisServer.start();
                String secret = LeakGuard.register(Secrets.random(48));
                String admin = LeakGuard.register(Secrets.random(24));
                for (int i = 1; i <= nodes; i++) {
                    NodeProcess.Builder b = NodeProcess.builder("n" + i)
                            .set("db.url", pg.jdbcUrl()).set("db.user", Postgres.USER)
                            .set("redis.url", redis.url())
                            .set(settings)
                            .secret("jwt.secret", secret).secret("admin.token", admin);
                    started.add(perNode.apply(b).start()); // all JVMs start side by side
                }
                if (loadBalancer) {
                    Map<String, Integer> backends = new LinkedHashMap<>();
                    for (NodeProcess n : started) backends.put(n.name(), n.port());
                    lb = LoadBalancer.start(backends);
                }
                LocalCluster cluster = new LocalCluster(pg, redis, started, lb, secret, admin);
                cluster.awaitReady(START);
                return cluster;
            } catch (RuntimeException | Error e) {
                if (lb != null) lb.close();
                for (NodeProcess n : started) n.close();
                if (redis != null) redis.close();
                if (pg != null) pg.close();
                throw e;
            }
        }
    }

    /** Waits until every running node answers {@code /ready} 200 and, with a balancer, is in its rotation. */
    public void awaitReady(Duration timeout) {
        for (NodeProcess n : nodes) {
            if (!n.isAlive()) continue;
            n.awaitReady(timeout);
            if (lb != null) lb.awaitInRotation(n.name(), true, timeout);
        }
    }

    public Postgres postgres() {
        return postgres;
    }

    public RedisServer redis() {
        return redis;
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** The node at {@code index} (0-based: node(0) is n1). */
    public NodeProcess node(int index) {
        return nodes.get(index);
    }

    /** The balancer, or null when built without one. */
    public LoadBalancer lb() {
        return lb;
    }

    /** The admin token every node accepts (operator role). */
    public String adminToken() {
        return adminToken;
    }

    /** The client-token secret every node shares. */
    public String jwtSecret() {
        return jwtSecret;
    }

    /** A client token for {@code user}, valid for an hour on every node. */
    public String token(String user) {
        return LeakGuard.register(tokens.issue(user, Duration.ofHours(1), null, null));
    }

    /** {@code ws://} through the balancer for {@code user}. */
    public URI wsThroughBalancer(String user) {
        return lb.ws(token(user));
    }

    /** Stops the balancer, kills every node, stops Redis and PostgreSQL; deletes their directories. */
    @Override
    public void close() {
        if (lb != null) lb.close();
        for (NodeProcess n : nodes) n.close();
        redis.close();
        postgres.close();
    }
}
