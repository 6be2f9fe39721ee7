package io.switchboard.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cluster.RedisConnections;
import io.switchboard.protocol.ServerFrame;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of a cluster node, on Redis pub/sub: a room's publications travel on {@code <prefix>:room:<room>}, a
 * user's DM stream entries on {@code <prefix>:user:<user>}; a node subscribes to a channel while it has a member of
 * the room (a connection of the user). A publication is a small JSON envelope naming the node it came from, so a
 * node drops its own. Pub/sub delivers at most once: what a restart or a reconnect of Redis loses shows up as a gap
 * in positions and is read from the store ({@code Fanout}); {@link RedisConnections} re-subscribes and runs the
 * recovery hooks (a position check) when the link is back. Channel naming after Centrifugo's Redis broker.
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisConnections redis;
    private final String node;
    private final String roomPrefix;
    private final String userPrefix;
    private final ObjectMapper json = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Subscriptions per channel (sequencer thread only, but kept safe for any caller). */
    private final Map<String, Integer> subscriptions = new HashMap<>();
    private volatile Consumer<Publication> sink = p -> {};

    /**
     * The wire form of a publication: {@code o} the node it came from, {@code k} its kind (m: room message, d: DM
     * stream entry, p: presence, x: deleted, c: closed), then the fields of that kind.
     */
    record Envelope(String o, String k, ServerFrame.Message m, String owner, ServerFrame.DirectMessage d, String room,
                    String user, Boolean joined, Long seq) {}

    /** @param node this node's id; publications carrying it are its own and are dropped on arrival */
    public RedisBroker(RedisConnections redis, String node) {
        this.redis = redis;
        this.node = node;
        this.roomPrefix = redis.settings().prefix() + ":room:";
        this.userPrefix = redis.settings().prefix() + ":user:";
    }

    @Override
    public void start(Consumer<Publication> sink) {
        this.sink = sink;
        redis.addListener(this::onMessage);
    }

    private void onMessage(String channel, String payload) {
        if (!channel.startsWith(roomPrefix) && !channel.startsWith(userPrefix)) return;
        Envelope e;
        try {
            e = json.readValue(payload, Envelope.class);
        } catch (Exception ex) {
            log.warn("Dropped an unreadable publication on {}: {}", channel, ex.toString());
            return;
        }
        if (node.equals(e.o())) return;
        Publication p = switch (e.k() == null ? "" : e.k()) {
            case "m" -> e.m() == null ? null : new Publication.RoomMessage(e.m());
            case "d" -> e.d() == null || e.owner() == null ? null : new Publication.DirectEntry(e.owner(), e.d());
            case "p" -> e.room() == null || e.user() == null ? null
                    : new Publication.RoomPresence(e.room(), e.user(), Boolean.TRUE.equals(e.joined()));
            case "x" -> e.room() == null || e.seq() == null ? null : new Publication.RoomDeleted(e.room(), e.seq());
            case "c" -> e.room() == null ? null : new Publication.RoomClosed(e.room());
            default -> null;
        };
        if (p == null) {
            log.warn("Dropped a publication of unknown shape on {}", channel);
            return;
        }
        sink.accept(p);
    }

    @Override
    public void publish(Publication p) {
        Envelope e = p.accept(new Publication.Visitor<>() {
            @Override public Envelope roomMessage(Publication.RoomMessage m) {
                return new Envelope(node, "m", m.message(), null, null, null, null, null, null);
            }

            @Override public Envelope directEntry(Publication.DirectEntry d) {
                return new Envelope(node, "d", null, d.owner(), d.message(), null, null, null, null);
            }

            @Override public Envelope presence(Publication.RoomPresence r) {
                return new Envelope(node, "p", null, null, null, r.room(), r.user(), r.joined(), null);
            }

            @Override public Envelope deleted(Publication.RoomDeleted x) {
                return new Envelope(node, "x", null, null, null, x.room(), null, null, x.seq());
            }

            @Override public Envelope closed(Publication.RoomClosed c) {
                return new Envelope(node, "c", null, null, null, c.room(), null, null, null);
            }
        });
        String channel = p instanceof Publication.DirectEntry d ? userPrefix + d.owner() : roomPrefix + p.room();
        String payload;
        try {
            payload = json.writeValueAsString(e);
        } catch (Exception ex) {
            throw new IllegalStateException("cannot encode a publication", ex);
        }
        // A failed publish is counted by RedisConnections; the receiving nodes find the gap and read the store.
        redis.publish(channel, payload);
    }

    @Override public void subscribeRoom(String room) { change(roomPrefix + room, 1); }

    @Override public void unsubscribeRoom(String room) { change(roomPrefix + room, -1); }

    @Override public void subscribeUser(String user) { change(userPrefix + user, 1); }

    @Override public void unsubscribeUser(String user) { change(userPrefix + user, -1); }

    private synchronized void change(String channel, int by) {
        int before = subscriptions.getOrDefault(channel, 0);
        int after = Math.max(0, before + by);
        if (after == 0) subscriptions.remove(channel); else subscriptions.put(channel, after);
        // Failures need no handling here: a wanted channel is subscribed again when Redis recovers.
        if (before == 0 && after > 0) redis.subscribe(channel);
        else if (before > 0 && after == 0) redis.unsubscribe(channel);
    }

    @Override public boolean isUp() { return redis.isUp(); }

    @Override public void onRecovered(Runnable action) { redis.onRecovered(action); }

    @Override public boolean isShared() { return true; }

    @Override public void close() {}
}
