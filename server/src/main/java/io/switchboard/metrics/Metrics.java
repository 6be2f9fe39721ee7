package io.switchboard.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The metric registry and every metric name Switchboard publishes. Names are dotted here and become
 * underscored in the Prometheus output ({@code switchboard.messages.in} → {@code switchboard_messages_in_total}).
 */
public final class Metrics {
    public static final String CONNECTIONS = "switchboard.connections";
    public static final String USERS_ONLINE = "switchboard.users.online";
    public static final String ROOMS_ACTIVE = "switchboard.rooms.active";
    public static final String JOINS = "switchboard.joins";
    public static final String LEAVES = "switchboard.leaves";
    public static final String MESSAGES_IN = "switchboard.messages.in";
    public static final String MESSAGES_OUT = "switchboard.messages.out";
    public static final String DELIVERIES = "switchboard.fanout.deliveries";
    public static final String DELIVERY_LATENCY = "switchboard.delivery.latency";
    public static final String PERSIST_LATENCY = "switchboard.persist.latency";
    public static final String OUTBOX_DEPTH = "switchboard.outbox.depth";
    public static final String OUTBOX_DEPTH_MAX = "switchboard.outbox.depth.max";
    public static final String WRITE_QUEUE = "switchboard.write.queue";
    public static final String SLOW_CONSUMERS = "switchboard.slow.consumers";
    /** Messages refused with busy because fan-out writes lagged beyond fanout.lag.max (load shedding). */
    public static final String SHED = "switchboard.shed";
    /** How long fan-out writes wait for a writer thread, in milliseconds (the load-shedding signal). */
    public static final String FANOUT_LAG = "switchboard.fanout.lag";
    public static final String ERRORS = "switchboard.errors";
    public static final String KICKS = "switchboard.kicks";
    public static final String BANS = "switchboard.bans";
    public static final String BROADCASTS = "switchboard.broadcasts";
    /** Ranges of positions a node read from the store because their publications arrived late or never. */
    public static final String GAPS_FILLED = "switchboard.broker.gaps.filled";
    /** Publications received from other nodes. */
    public static final String BROKER_RECEIVED = "switchboard.broker.received";
    public static final String DB_POOL = "switchboard.db";
    /** Size of the embedded H2 database file, in bytes (only with the embedded H2). */
    public static final String DB_H2_FILE_BYTES = "switchboard.db.h2.file.bytes";
    /** Cluster mode: 1 while this node's Redis subscription is proven alive by its probe, else 0. */
    public static final String REDIS_UP = "switchboard.redis.up";
    /** Cluster mode: publishes to Redis that failed (Redis down, timeout, refused). */
    public static final String REDIS_PUBLISH_FAILURES = "switchboard.redis.publish.failures";
    /** Cluster mode: Redis connections re-established after a loss (by Lettuce, or replaced after a silent wedge). */
    public static final String REDIS_RECONNECTS = "switchboard.redis.reconnects";
    /** 1 from the instant this node starts draining (SIGTERM or POST /api/v1/drain), else 0. */
    public static final String DRAINING = "switchboard.draining";
    /** Chat connections closed by a drain (1012 draining). */
    public static final String DRAIN_CLOSED = "switchboard.drain.closed";
    public static final String JETTY_THREADS = "switchboard.jetty.threads";
    public static final String JETTY_THREADS_BUSY = "switchboard.jetty.threads.busy";
    public static final String JETTY_QUEUE = "switchboard.jetty.queue";

    private final MetricRegistry registry = new MetricRegistry();
    public final Meter joins = registry.meter(JOINS);
    public final Meter leaves = registry.meter(LEAVES);
    public final Meter messagesIn = registry.meter(MESSAGES_IN);
    public final Meter messagesOut = registry.meter(MESSAGES_OUT);
    public final Meter deliveries = registry.meter(DELIVERIES);
    public final Timer deliveryLatency = registry.timer(DELIVERY_LATENCY);
    public final Timer persistLatency = registry.timer(PERSIST_LATENCY);
    public final Meter slowConsumers = registry.meter(SLOW_CONSUMERS);
    public final Meter shed = registry.meter(SHED);
    public final Meter kicks = registry.meter(KICKS);
    public final Meter bans = registry.meter(BANS);
    public final Meter broadcasts = registry.meter(BROADCASTS);
    public final Meter gapsFilled = registry.meter(GAPS_FILLED);
    public final Meter brokerReceived = registry.meter(BROKER_RECEIVED);

    public Metrics() {
        registry.register("jvm.memory", new MemoryUsageGaugeSet());
        registry.register("jvm.gc", new GarbageCollectorMetricSet());
        registry.register("jvm.threads", new ThreadStatesGaugeSet());
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** Counts an error frame by its wire code ({@code switchboard.errors.rate_limited}, …). */
    public void error(String code) {
        registry.meter(ERRORS + "." + code.toLowerCase(Locale.ROOT)).mark();
    }

    public <T> void gauge(String name, Supplier<T> value) {
        registry.gauge(name, () -> value::get);
    }
}
