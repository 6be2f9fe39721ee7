package io.switchboard.presence;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.cluster.RedisConnections;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections per user across the cluster in Redis: a sorted set per user ({@code <prefix>:conns:<user>}) of
 * connection ids scored by expiry, checked and added by one Lua script so two nodes cannot both take the last place.
 * Each node refreshes its entries every third of {@code presence.ttl}. When Redis cannot answer, the connection is
 * admitted (each node's own limit still holds): a chat outage is worse than a limit briefly exceeded.
 */
public final class RedisConnectionRegistry implements ConnectionRegistry {
    private static final Logger log = LoggerFactory.getLogger(RedisConnectionRegistry.class);

    /** KEYS: the user's set. ARGV: connection id, now, expiry, limit, key ttl ms. Returns 1 when registered. */
    private static final String REGISTER = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
              return 0
            end
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """;

    private final RedisConnections redis;
    private final String prefix;
    private final long ttlMillis;
    private final Supplier<Map<String, Collection<String>>> here;

    /** @param here this node's open connections: user to connection ids (read on refresh) */
    public RedisConnectionRegistry(RedisConnections redis, Duration ttl, Supplier<Map<String, Collection<String>>> here) {
        this.redis = redis;
        this.prefix = redis.settings().prefix() + ":conns:";
        this.ttlMillis = ttl.toMillis();
        this.here = here;
    }

    @Override
    public CompletionStage<Boolean> register(String user, String connectionId, int limit) {
        long now = System.currentTimeMillis();
        return redis.<Long>call(c -> c.eval(REGISTER, ScriptOutputType.INTEGER, new String[] {prefix + user},
                        connectionId, Long.toString(now), Long.toString(now + ttlMillis), Integer.toString(limit),
                        Long.toString(2 * ttlMillis)))
                .handle((ok, error) -> {
                    if (error != null) {
                        log.warn("Cluster-wide connection limit not checked for a connection of {} (Redis: {}); admitted",
                                user, error.toString());
                        return true;
                    }
                    return ok == 1L;
                });
    }

    @Override
    public void remove(String user, String connectionId) {
        redis.call(c -> c.zrem(prefix + user, connectionId));
    }

    /** Refreshes the expiry of every connection of this node (no limit check: they are already admitted). */
    public void refresh() {
        long expiry = System.currentTimeMillis() + ttlMillis;
        here.get().forEach((user, ids) -> {
            for (String id : ids) redis.call(c -> c.zadd(prefix + user, (double) expiry, id));
            redis.call(c -> c.pexpire(prefix + user, 2 * ttlMillis));
        });
    }

    @Override
    public void close() {}
}
