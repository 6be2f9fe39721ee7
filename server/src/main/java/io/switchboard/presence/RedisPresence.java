package io.switchboard.presence;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.cluster.RedisConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster presence in Redis. Per room and user, a sorted set of the nodes where the user is in the room, scored by
 * when that entry expires ({@code <prefix>:presence:<room>:u:<user>}); per room, a sorted set of its online users
 * scored by their latest expiry ({@code <prefix>:presence:<room>}). Each change is one Lua script, so "first anywhere"
 * and "last anywhere" are decided atomically. Nodes refresh their entries every third of {@code presence.ttl}; entries
 * of a node that stopped (crash, partition) expire, and a node with members in the room removes them and reports the
 * user gone ({@link #expired()}), at most one node per expiry. A user is therefore reported offline at most
 * {@code presence.ttl} plus one sweep period after their node stopped. Modelled on centrifuge's Redis presence
 * manager (a hash plus an expiry sorted set), counted per user instead of per client.
 */
public final class RedisPresence implements Presence {
    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);

    /** KEYS: user's nodes, room's users. ARGV: node, now, expiry, user, ttl ms. Returns 1 when first anywhere. */
    private static final String JOIN = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            local before = redis.call('ZCARD', KEYS[1])
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[5])
            if before == 0 then return 1 end
            return 0
            """;

    /** KEYS: user's nodes, room's users. ARGV: node, now, user. Returns 1 when it was the last entry anywhere. */
    private static final String LEAVE = """
            local removed = redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            if redis.call('ZCARD', KEYS[1]) == 0 then
              redis.call('DEL', KEYS[1])
              redis.call('ZREM', KEYS[2], ARGV[3])
              return removed
            end
            return 0
            """;

    /** KEYS: room's users. ARGV: now, prefix of the users' keys. Returns the users whose every entry expired. */
    private static final String SWEEP = """
            local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            local gone = {}
            for _, user in ipairs(stale) do
              local key = ARGV[2] .. user
              redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
              if redis.call('ZCARD', key) == 0 then
                redis.call('ZREM', KEYS[1], user)
                redis.call('DEL', key)
                table.insert(gone, user)
              end
            end
            return gone
            """;

    private final RedisConnections redis;
    private final String node;
    private final String prefix;
    private final long ttlMillis;
    private final Supplier<Map<String, Collection<String>>> here;

    /**
     * @param node this node's id
     * @param ttl  how long an entry lives without a refresh ({@code presence.ttl})
     * @param here this node's members: room to users with a connection in it here (read on refresh and sweep)
     */
    public RedisPresence(RedisConnections redis, String node, Duration ttl, Supplier<Map<String, Collection<String>>> here) {
        this.redis = redis;
        this.node = node;
        this.prefix = redis.settings().prefix() + ":presence:";
        this.ttlMillis = ttl.toMillis();
        this.here = here;
    }

    private String roomKey(String room) {
        return prefix + room;
    }

    private String userKeyPrefix(String room) {
        return prefix + room + ":u:";
    }

    @Override
    public CompletionStage<Boolean> joined(String room, String user) {
        long now = System.currentTimeMillis();
        return redis.<Long>call(c -> c.eval(JOIN, ScriptOutputType.INTEGER,
                        new String[] {userKeyPrefix(room) + user, roomKey(room)},
                        node, Long.toString(now), Long.toString(now + ttlMillis), user, Long.toString(2 * ttlMillis)))
                .thenApply(first -> first == 1L);
    }

    @Override
    public CompletionStage<Boolean> left(String room, String user) {
        return redis.<Long>call(c -> c.eval(LEAVE, ScriptOutputType.INTEGER,
                        new String[] {userKeyPrefix(room) + user, roomKey(room)},
                        node, Long.toString(System.currentTimeMillis()), user))
                .thenApply(last -> last == 1L);
    }

    @Override
    public CompletionStage<Set<String>> online(String room) {
        return redis.<List<String>>call(c -> c.zrangebyscore(roomKey(room),
                        io.lettuce.core.Range.create((double) System.currentTimeMillis(), Double.POSITIVE_INFINITY)))
                .thenApply(Set::copyOf);
    }

    /**
     * Refreshes every entry of this node; returns the (room, user) pairs that had expired meanwhile (the node was
     * unreachable longer than the TTL) and are first anywhere again: the caller announces them as joins.
     */
    public CompletionStage<Map<String, Set<String>>> refresh() {
        long now = System.currentTimeMillis();
        Map<String, Set<String>> back = new HashMap<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        here.get().forEach((room, users) -> {
            for (String user : users) {
                all.add(redis.<Long>call(c -> c.eval(JOIN, ScriptOutputType.INTEGER,
                                new String[] {userKeyPrefix(room) + user, roomKey(room)},
                                node, Long.toString(now), Long.toString(now + ttlMillis), user, Long.toString(2 * ttlMillis)))
                        .thenAccept(first -> {
                            if (first == 1L) {
                                synchronized (back) {
                                    back.computeIfAbsent(room, r -> new HashSet<>()).add(user);
                                }
                            }
                        }).toCompletableFuture());
            }
        });
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> back);
    }

    @Override
    public CompletionStage<Map<String, Set<String>>> expired() {
        String now = Long.toString(System.currentTimeMillis());
        Map<String, Set<String>> gone = new HashMap<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String room : here.get().keySet()) {
            all.add(redis.<List<String>>call(c -> c.eval(SWEEP, ScriptOutputType.MULTI, new String[] {roomKey(room)},
                            now, userKeyPrefix(room)))
                    .thenAccept(users -> {
                        if (users == null || users.isEmpty()) return;
                        synchronized (gone) {
                            gone.put(room, Set.copyOf(users));
                        }
                    }).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> gone);
    }

    @Override
    public void close() {}
}
