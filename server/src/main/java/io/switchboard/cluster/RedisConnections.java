package io.switchboard.cluster;

import com.codahale.metrics.Counter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.switchboard.auth.Secrets;
import io.switchboard.logging.Redaction;
import io.switchboard.metrics.Metrics;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to Redis: one Lettuce client, one command connection (async API) and one pub/sub connection,
 * with a health signal that means what a cluster needs it to mean.
 *
 * <p><b>Health.</b> A connected socket is not a working subscription: Centrifugo's Redis engine once sat on a
 * connected but dead subscription and silently stopped delivering. So {@link #isUp()} is true only while a probe
 * that this node publishes every second on its own channel ({@code <prefix>:node:<nodeId>}) comes back through the
 * subscription within {@code redis.timeout}. A missed probe, or a lost connection, marks Redis down at once. While
 * down, Lettuce reconnects and re-subscribes by itself; should the connections stay open yet the probes keep failing
 * (a wedge no socket error reveals), both connections are replaced after a few timeouts. When probes come back, every
 * wanted channel is subscribed again, and only then is Redis up again and {@link #onRecovered} hooks run: anything
 * published from then on arrives, so a gap refill started by the hook leaves no hole.
 *
 * <p><b>Threads.</b> Nothing here blocks the caller: every call returns a {@link CompletionStage} or a value at
 * hand. Messages reach {@link MessageListener}s on a Lettuce I/O thread, in the order Redis sent them per
 * connection; listeners must return quickly and never block (hand work to an executor). Hooks run on this class's
 * own timer thread.
 *
 * <p><b>Start.</b> {@link #start()} returns at once; the first connection is made in the background and retried
 * every second while Redis is unreachable (also when it refuses the credentials), so a node may start before Redis
 * and reports not ready ({@link #problem()}) until it connects.
 */
public final class RedisConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);
    /** Payloads on a node's channel that start with this are liveness probes, never handed to listeners. */
    public static final String PROBE_PREFIX = "~probe ";
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    /** Receives what Redis delivers on subscribed channels. */
    @FunctionalInterface
    public interface MessageListener {
        /** One message as published: {@code channel} as subscribed, {@code payload} as given to publish. */
        void onMessage(String channel, String payload);
    }

    /** Raised (inside a failed stage) when there is no connection to Redis to run a command on. */
    public static final class RedisUnavailableException extends RuntimeException {
        public RedisUnavailableException(String message) {
            super(message);
        }
    }

    private final RedisSettings settings;
    private final String ownChannel;
    /** Tells this process's probes from another's on the same channel (two nodes configured with one node.id). */
    private final String nonce = Secrets.random(6);
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService timer;
    private final Counter publishFailures;
    private final Counter reconnects;
    private final Metrics metrics;

    /** Channels this node wants, besides its own: subscribed again on every recovery. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> recoveredHooks = new CopyOnWriteArrayList<>();
    private final List<Runnable> downHooks = new CopyOnWriteArrayList<>();
    /** Probes in flight: sequence number to System.nanoTime() at sending. */
    private final ConcurrentSkipListMap<Long, Long> probes = new ConcurrentSkipListMap<>();
    private final AtomicLong probeSeq = new AtomicLong();
    /** Connections seen connected at least once: a later connect of one of them is a reconnect. */
    private final Set<RedisChannelHandler<?, ?>> connectedBefore = Collections.newSetFromMap(new IdentityHashMap<>());

    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicBoolean recovering = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean up;
    private volatile String problem = "not connected to Redis yet";
    private volatile long downSinceNanos = System.nanoTime();
    /** When a connection was last (re)established: a wedge is judged only on connections open for a while. */
    private volatile long connectedNanos = System.nanoTime();
    /** Counts transitions to down and connection losses; a recovery that saw it change meanwhile is void. */
    private final AtomicLong downEvents = new AtomicLong();
    private volatile String lastLoggedProblem;
    private volatile boolean warnedDuplicateNode;

    /**
     * Builds the client; nothing connects until {@link #start()}. Registers the gauge {@link Metrics#REDIS_UP} and
     * the counters {@link Metrics#REDIS_PUBLISH_FAILURES} and {@link Metrics#REDIS_RECONNECTS} (removed on close).
     */
    public RedisConnections(RedisSettings settings, Metrics metrics) {
        this.settings = settings;
        this.ownChannel = settings.ownChannel();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s between attempts: far too long for a Redis that restarted.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.metrics = metrics;
        this.publishFailures = metrics.registry().counter(Metrics.REDIS_PUBLISH_FAILURES);
        this.reconnects = metrics.registry().counter(Metrics.REDIS_RECONNECTS);
        this.client = RedisClient.create(resources);
        Duration timeout = settings.timeout();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast while disconnected instead of buffering without bound: a lost publish is refilled from
                // the store by the receivers, a pile of stale ones replayed minutes later is not wanted.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(100_000)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout.compareTo(Duration.ofSeconds(1)) < 0
                        ? Duration.ofSeconds(1) : timeout).keepAlive(true).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                boolean again;
                synchronized (connectedBefore) {
                    again = !connectedBefore.add(connection);
                }
                connectedNanos = System.nanoTime();
                if (again && isCurrent(connection)) {
                    reconnects.inc();
                    log.info("Reconnected to Redis {}", settings.redactedUrl());
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (isCurrent(connection) && !closed.get()) markDown("connection to Redis lost");
            }
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-redis");
            t.setDaemon(true);
            return t;
        });
        metrics.gauge(Metrics.REDIS_UP, () -> up ? 1 : 0);
    }

    /** Connects in the background and starts probing; returns at once. */
    public RedisConnections start() {
        log.info("Cluster mode: Redis {}, prefix {}, node {} ({})", settings.redactedUrl(), settings.prefix(),
                settings.node().id(), settings.node().address());
        timer.scheduleWithFixedDelay(this::tickSafely, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The settings this was built with (prefix, node identity, timeout). */
    public RedisSettings settings() {
        return settings;
    }

    /**
     * True while the subscription is proven alive: a probe published on this node's channel came back within
     * {@code redis.timeout}, every wanted channel is subscribed, and no connection loss was seen since.
     */
    public boolean isUp() {
        return up;
    }

    /** Why Redis is not up ({@code null} while it is), for {@code /ready} and logs; never holds a password. */
    public String problem() {
        return up ? null : problem;
    }

    /**
     * Adds a listener for messages on this node's own channel and on every channel wanted through {@link #subscribe}
     * (probes excluded; a channel no longer wanted is not delivered, even if Redis still sends it for a moment).
     */
    public void addListener(MessageListener listener) {
        listeners.add(listener);
    }

    /**
     * Runs {@code hook} each time Redis becomes up after being down, the first connection included (then there is
     * nothing to refill, unless channels were wanted while Redis was unreachable at start). It runs once every wanted
     * channel is subscribed again, so a refill from the store it starts cannot miss a message published later.
     */
    public void onRecovered(Runnable hook) {
        recoveredHooks.add(hook);
    }

    /** Runs {@code hook} each time Redis goes from up to down (what is published meanwhile may not arrive). */
    public void onDown(Runnable hook) {
        downHooks.add(hook);
    }

    /**
     * Publishes {@code payload} on {@code channel}. Completes with the number of subscribers Redis handed it to
     * (over the whole cluster), or fails with {@link RedisUnavailableException}, a timeout after {@code redis.timeout}
     * or Redis's error; each failure counts in {@link Metrics#REDIS_PUBLISH_FAILURES}.
     */
    public CompletionStage<Long> publish(String channel, String payload) {
        CompletionStage<Long> result = call(c -> c.publish(channel, payload));
        return result.whenComplete((n, e) -> {
            if (e != null) publishFailures.inc();
        });
    }

    /**
     * Subscribes to {@code channel}; the stage completes when Redis confirmed the subscription. The channel is
     * wanted from this call on: if Redis is unreachable now the stage fails, and the channel is subscribed when the
     * connection recovers (before {@link #onRecovered} hooks run). Callers keep subscribe and unsubscribe of one
     * channel in order (e.g. a reference count per channel).
     */
    public CompletionStage<Void> subscribe(String channel) {
        wanted.add(channel);
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null) return CompletableFuture.failedFuture(new RedisUnavailableException("not connected to Redis: " + problem));
        return safely(() -> p.async().subscribe(channel));
    }

    /**
     * Stops wanting {@code channel}: from this call on, its messages no longer reach listeners. Completes when Redis
     * confirmed the unsubscription, or at once when Redis cannot be reached now (a subscription Lettuce restores on
     * reconnect is dropped at its first message). Never fails.
     */
    public CompletionStage<Void> unsubscribe(String channel) {
        wanted.remove(channel);
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null) return CompletableFuture.completedFuture(null);
        return safely(() -> p.async().unsubscribe(channel)).exceptionally(e -> null);
    }

    /** Lettuce may refuse a command at once (disconnected, queue full) instead of failing its future. */
    private static CompletionStage<Void> safely(java.util.function.Supplier<RedisFuture<Void>> command) {
        try {
            return command.get().toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The channels this node wants to hear (its own node channel excluded). */
    public Set<String> channels() {
        return Set.copyOf(wanted);
    }

    /**
     * Runs one command on the command connection, e.g. {@code call(c -> c.hset(key, field, value))}. Fails with
     * {@link RedisUnavailableException} when not connected, after {@code redis.timeout} when Redis does not answer,
     * or with Redis's error. Never blocks.
     */
    public <T> CompletionStage<T> call(Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null) return CompletableFuture.failedFuture(new RedisUnavailableException("not connected to Redis: " + problem));
        try {
            return command.apply(c.async()).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // Lettuce refuses at once while disconnected
        }
    }

    // --- connection and probing (timer thread unless said otherwise) ------------------------------------------------

    private boolean isCurrent(RedisChannelHandler<?, ?> connection) {
        return connection == commands || connection == pubsub;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            if (closed.get()) return; // closing under a running check: the client may be shut already
            log.error("Redis health check failed; it runs again in {} ms", PROBE_INTERVAL.toMillis(), e);
        }
    }

    private void tick() {
        if (closed.get()) return;
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (c == null || p == null) {
            connect();
            return;
        }
        long now = System.nanoTime();
        long timeoutNanos = settings.timeout().toNanos();
        Map.Entry<Long, Long> oldest = probes.firstEntry();
        if (oldest != null && now - oldest.getValue() > timeoutNanos) {
            probes.headMap(oldest.getKey(), true).clear();
            probes.entrySet().removeIf(e -> now - e.getValue() > timeoutNanos);
            markDown("the subscription's probe did not come back within " + settings.timeout().toMillis() + " ms");
        }
        // Lettuce repairs connections it knows are broken; one that looks open while nothing gets through (a dead
        // peer behind a silent network, a wedged proxy) it would keep forever. Replace both after a few timeouts.
        long wedgedAfter = Math.max(3 * timeoutNanos, 3 * PROBE_INTERVAL.toNanos());
        long quietSince = Math.max(downSinceNanos, connectedNanos);
        if (!up && c.isOpen() && p.isOpen() && now - quietSince > wedgedAfter) {
            log.warn("Redis connections look open but the subscription is dead for {} ms: replacing them",
                    TimeUnit.NANOSECONDS.toMillis(now - quietSince));
            replaceConnections();
            return;
        }
        sendProbe(c);
    }

    private void sendProbe(StatefulRedisConnection<String, String> c) {
        long seq = probeSeq.incrementAndGet();
        probes.put(seq, System.nanoTime());
        try {
            // A failure needs no handling: the probe simply does not come back.
            c.async().publish(ownChannel, PROBE_PREFIX + nonce + " " + seq);
        } catch (RuntimeException ignored) {
            // rejected while disconnected: same as lost
        }
    }

    private void connect() {
        if (closed.get() || !connecting.compareAndSet(false, true)) return;
        CompletableFuture<StatefulRedisConnection<String, String>> c;
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> p;
        try {
            c = client.connectAsync(StringCodec.UTF8, settings.uri()).toCompletableFuture();
            p = client.connectPubSubAsync(StringCodec.UTF8, settings.uri()).toCompletableFuture();
        } catch (RuntimeException e) {
            connecting.set(false);
            throw e;
        }
        CompletableFuture.allOf(c, p).whenComplete((ignored, error) -> {
            try {
                if (error != null || closed.get()) {
                    c.thenAccept(StatefulRedisConnection::closeAsync);
                    p.thenAccept(StatefulRedisPubSubConnection::closeAsync);
                    if (error != null) markDown("cannot connect to Redis " + settings.redactedUrl() + ": " + describe(error));
                    return;
                }
                StatefulRedisPubSubConnection<String, String> sub = p.join();
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        deliver(channel, message);
                    }
                });
                connectedNanos = System.nanoTime();
                commands = c.join();
                pubsub = sub;
                log.info("Connected to Redis {}", settings.redactedUrl());
                // Probes tell when the subscription works; until then this node stays down. The first goes out as
                // soon as the subscriptions are made rather than at the next tick.
                StatefulRedisConnection<String, String> cmd = commands;
                subscribeAll(sub).thenRun(() -> {
                    if (!closed.get() && cmd == commands) sendProbe(cmd);
                });
            } finally {
                connecting.set(false);
            }
        });
    }

    private void replaceConnections() {
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        commands = null;
        pubsub = null;
        probes.clear();
        reconnects.inc();
        if (c != null) c.closeAsync();
        if (p != null) p.closeAsync();
        connect();
    }

    private CompletableFuture<Void> subscribeAll(StatefulRedisPubSubConnection<String, String> p) {
        List<String> all = new ArrayList<>(wanted);
        all.add(ownChannel);
        return safely(() -> p.async().subscribe(all.toArray(String[]::new))).toCompletableFuture();
    }

    /** A message from the pub/sub connection (Lettuce I/O thread). */
    private void deliver(String channel, String message) {
        if (channel.equals(ownChannel)) {
            if (message.startsWith(PROBE_PREFIX)) {
                probeReturned(message);
                return;
            }
        } else if (!wanted.contains(channel)) {
            // Unsubscribed while Redis was away: Lettuce re-subscribed it on reconnect from its own list.
            StatefulRedisPubSubConnection<String, String> p = pubsub;
            if (p != null) safely(() -> p.async().unsubscribe(channel));
            return;
        }
        for (MessageListener l : listeners) {
            try {
                l.onMessage(channel, message);
            } catch (RuntimeException e) {
                log.error("Listener failed on a message from Redis channel {}", channel, e);
            }
        }
    }

    private void probeReturned(String message) {
        String[] parts = message.substring(PROBE_PREFIX.length()).split(" ");
        if (parts.length != 2 || !parts[0].equals(nonce)) {
            if (!warnedDuplicateNode) {
                warnedDuplicateNode = true;
                log.warn("Another process publishes probes on {}: two nodes share node.id {}; give each its own",
                        ownChannel, settings.node().id());
            }
            return;
        }
        long seq;
        try {
            seq = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        Long sent = probes.get(seq);
        if (sent == null) return; // expired: it proves nothing about the subscription now
        // One connection delivers in order: older probes that never came are lost for good, not late.
        probes.headMap(seq, true).clear();
        if (!up) recover();
    }

    /** Subscribes every wanted channel again, then declares Redis up and runs the recovery hooks. */
    private void recover() {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null || !recovering.compareAndSet(false, true)) return;
        long downEventsBefore = downEvents.get();
        subscribeAll(p).whenComplete((v, e) -> {
            recovering.set(false);
            long downMs;
            synchronized (this) {
                // Something failed after the probe came back: the next probe decides again.
                if (e != null || closed.get() || p != pubsub || !p.isOpen() || downEvents.get() != downEventsBefore) return;
                downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos);
                up = true;
                problem = null;
                lastLoggedProblem = null;
            }
            log.info("Redis subscription alive ({} channel(s)); it was down for {} ms", wanted.size() + 1, downMs);
            for (Runnable hook : recoveredHooks) timer.execute(() -> runHook("recovery", hook));
        });
    }

    private synchronized void markDown(String reason) {
        downEvents.incrementAndGet();
        String safe = Redaction.redact(reason);
        problem = safe;
        if (up) {
            up = false;
            downSinceNanos = System.nanoTime();
            log.warn("Redis is down: {}", safe);
            lastLoggedProblem = safe;
            for (Runnable hook : downHooks) timer.execute(() -> runHook("down", hook));
        } else if (!safe.equals(lastLoggedProblem)) {
            // Once per distinct problem: a Redis that stays away for an hour writes one line, not 3600.
            log.warn("Redis unavailable: {}", safe);
            lastLoggedProblem = safe;
        }
    }

    private static void runHook(String what, Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            log.error("Redis {} hook failed", what, e);
        }
    }

    /** An exception and its causes as one line, without repeats; authentication failures named as such. */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        boolean auth = false;
        for (Throwable t = e; t != null && b.length() < 400; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) continue;
            String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("AUTH failed")) auth = true;
            if (b.indexOf(m) >= 0) continue;
            if (b.length() > 0) b.append(": ");
            b.append(m);
        }
        String line = b.toString().replaceAll("[\\r\\n]+\\s*", " ");
        return auth ? "authentication failed (check the user and password in redis.url / redis.password): " + line : line;
    }

    /** Closes both connections and the client; idempotent. Blocks up to a few seconds (call it at shutdown). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        up = false;
        timer.shutdownNow();
        try {
            // A check under way may be connecting: let it finish before the client goes.
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        commands = null;
        pubsub = null;
        try {
            if (p != null) p.close();
            if (c != null) c.close();
        } catch (RuntimeException e) {
            log.debug("Closing Redis connections: {}", e.toString());
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        metrics.registry().remove(Metrics.REDIS_UP);
        metrics.registry().remove(Metrics.REDIS_PUBLISH_FAILURES);
        metrics.registry().remove(Metrics.REDIS_RECONNECTS);
    }
}
