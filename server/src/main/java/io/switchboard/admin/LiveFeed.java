package io.switchboard.admin;

import io.javalin.http.sse.SseClient;
import io.switchboard.chat.ChatEvents;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Room;
import io.switchboard.directory.ConnectionView;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.ServerFrame;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events}: a Server-Sent Events stream for live views. A subscriber first gets a
 * {@code snapshot} (connections, active rooms, stats and the stats history of the last two minutes), then deltas as
 * they happen (connections, joins, rooms created / closed / reopened, bans added / lifted, audit entries) and a
 * {@code stats} event every second. Message events are sent only to subscribers that asked for that room
 * ({@code ?room=}). A subscriber that asks {@code ?connections=false} (the console) gets no per-connection data: no
 * connection list in the snapshot, no connection or join events (but joins of its own room), no per-connection
 * counters; it reads connections from the paged, searchable {@code GET /api/v1/connections} instead, so that a
 * connect storm on a large node cannot flood its stream. Each subscriber
 * has a bounded queue; one that falls behind is disconnected (the browser's EventSource reconnects and gets a new
 * snapshot), so a slow console never slows the chat.
 */
public final class LiveFeed implements ChatEvents {
    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);
    private static final int QUEUE = 2048;
    private static final int MAX_SUBSCRIBERS = 64;
    private static final int MAX_SNAPSHOT_CONNECTIONS = 5000;
    private static final int MAX_COUNTERS = 1000;
    /** Stats ticks kept for a new subscriber's charts: two minutes of one-second ticks, as many as the page plots. */
    public static final int HISTORY_TICKS = 120;

    /** One event on the stream. */
    public record Event(String name, Object data) {}

    /** Wakes a stream so that it ends (on stop). */
    private static final Event WAKE = new Event("wake", Map.of());

    /**
     * The once-a-second figures the dashboard charts ({@code ts} epoch ms, rates per second, latency in ms, heap in
     * bytes). {@code counters}: connection id → [framesIn, framesOut, queued]; {@code roomActivity}: active room →
     * [lastSeq, lastActivity epoch ms, users online, connections] (the rooms with the most connections first when
     * there are more); both capped at 1,000 entries and empty in the snapshot's history.
     */
    public record Stats(long ts, int connections, int users, int rooms, double messagesInPerSecond,
                        double messagesOutPerSecond, double deliveriesPerSecond, double p99DeliveryMillis,
                        long heapUsedBytes, long heapMaxBytes, long uptimeSeconds, Map<String, long[]> counters,
                        Map<String, long[]> roomActivity) {
        /** The same figures without the per-connection and per-room maps (what the history keeps). */
        Stats figures() {
            return new Stats(ts, connections, users, rooms, messagesInPerSecond, messagesOutPerSecond, deliveriesPerSecond,
                    p99DeliveryMillis, heapUsedBytes, heapMaxBytes, uptimeSeconds, Map.of(), Map.of());
        }

        /** The same figures and room activity without the per-connection counters. */
        Stats withoutCounters() {
            return new Stats(ts, connections, users, rooms, messagesInPerSecond, messagesOutPerSecond, deliveriesPerSecond,
                    p99DeliveryMillis, heapUsedBytes, heapMaxBytes, uptimeSeconds, Map.of(), roomActivity);
        }
    }

    private static final class Subscriber {
        final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
        final String room;
        /** False: no per-connection data (see the class comment). */
        final boolean perConnection;
        volatile boolean overflowed;

        Subscriber(String room, boolean perConnection) {
            this.room = room;
            this.perConnection = perConnection;
        }

        void offer(Event e) {
            if (!queue.offer(e)) overflowed = true;
        }
    }

    private final Hub hub;
    private final Metrics metrics;
    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private final java.util.concurrent.atomic.AtomicInteger serving = new java.util.concurrent.atomic.AtomicInteger();
    private long lastTick = System.nanoTime();
    private long lastIn;
    private long lastOut;
    private long lastDeliveries;
    private volatile Stats latest;
    /** What this node is doing ({@code {"draining": false}} or a drain's status); in every snapshot. */
    private volatile Map<String, Object> node = Map.of("draining", false);
    /** The last {@link #HISTORY_TICKS} ticks, oldest first; guarded by itself. */
    private final java.util.ArrayDeque<Stats> history = new java.util.ArrayDeque<>(HISTORY_TICKS);

    /** @param nodeId this node's id, the {@code node} of the connections it reports */
    public LiveFeed(Hub hub, Metrics metrics, String nodeId) {
        this.hub = hub;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.latest = stats();
        hub.addListener(this);
    }

    public void register(Api api) {
        api.sse("/api/v1/events", this::serve);
    }

    /** Runs on Javalin's async pool for as long as the client stays; blocking here is by design. */
    private void serve(SseClient client) {
        if (subscribers.size() >= MAX_SUBSCRIBERS) {
            client.sendEvent("error", Map.of("message", "too many live streams"));
            client.close();
            return;
        }
        String perConnection = client.ctx().queryParam("connections");
        if (perConnection != null && !perConnection.equals("true") && !perConnection.equals("false")) {
            client.sendEvent("error", Map.of("message", "connections must be true or false"));
            client.close();
            return;
        }
        Subscriber sub = new Subscriber(client.ctx().queryParam("room"), !"false".equals(perConnection));
        serving.incrementAndGet();
        subscribers.add(sub);
        client.onClose(() -> subscribers.remove(sub));
        try {
            client.sendEvent("snapshot", snapshot(sub));
            long lastWrite = System.nanoTime();
            while (!client.terminated() && !stopped) {
                if (sub.overflowed) {
                    client.sendEvent("error", Map.of("message", "stream fell behind; reconnect for a new snapshot"));
                    break;
                }
                Event e = sub.queue.poll(1, TimeUnit.SECONDS);
                if (e == WAKE) break;
                if (e != null) {
                    Object data = !sub.perConnection && e.data() instanceof Stats s ? s.withoutCounters() : e.data();
                    client.sendEvent(e.name(), data);
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(15)) {
                    client.sendComment("keep-alive");
                    lastWrite = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("Live stream ended: {}", e.toString());
        } finally {
            subscribers.remove(sub);
            client.close();
            serving.decrementAndGet();
        }
    }

    private Map<String, Object> snapshot(Subscriber sub) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (sub.perConnection) {
            out.put("connections", hub.connections().stream()
                    .sorted(Comparator.comparingLong(Connection::connectedAt))
                    .limit(MAX_SNAPSHOT_CONNECTIONS)
                    .map(c -> ConnectionView.of(c, nodeId)).toList());
        }
        List<Map<String, Object>> rooms = new ArrayList<>();
        for (Room r : hub.rooms()) rooms.add(roomView(r));
        out.put("rooms", rooms);
        out.put("stats", sub.perConnection ? latest : latest.withoutCounters());
        out.put("history", history());
        out.put("room", sub.room);
        out.put("node", node);
        return out;
    }

    private static Map<String, Object> roomView(Room r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("online", r.onlineUsers().size());
        m.put("connections", r.connectionCount());
        m.put("lastSeq", r.lastSeq());
        m.put("lastActivity", r.lastActivity());
        return m;
    }

    private void publish(Event e) {
        for (Subscriber s : subscribers) s.offer(e);
    }

    /** To the subscribers that take per-connection data, and (for a room's event) to those that follow that room. */
    private void publishPerConnection(Event e, String room) {
        for (Subscriber s : subscribers) {
            if (s.perConnection || (room != null && room.equals(s.room))) s.offer(e);
        }
    }

    @Override
    public void connectionOpened(Connection c) {
        if (!subscribers.isEmpty()) publishPerConnection(new Event("connection.opened", ConnectionView.of(c, nodeId)), null);
    }

    @Override
    public void connectionClosed(Connection c) {
        if (!subscribers.isEmpty()) publishPerConnection(new Event("connection.closed", Map.of("id", c.id(), "user", c.user())), null);
    }

    @Override
    public void joined(Connection c, String room) {
        if (!subscribers.isEmpty()) publishPerConnection(new Event("room.joined", Map.of("room", room, "connectionId", c.id(), "user", c.user())), room);
    }

    @Override
    public void left(Connection c, String room) {
        if (!subscribers.isEmpty()) publishPerConnection(new Event("room.left", Map.of("room", room, "connectionId", c.id(), "user", c.user())), room);
    }

    @Override
    public void messageStored(ServerFrame.Message m) {
        if (subscribers.isEmpty()) return;
        Event e = new Event("message", m);
        for (Subscriber s : subscribers) {
            if (m.room().equals(s.room)) s.offer(e);
        }
    }

    @Override
    public void messageDeleted(String room, long seq) {
        if (subscribers.isEmpty()) return;
        Event e = new Event("message.deleted", Map.of("room", room, "seq", seq));
        for (Subscriber s : subscribers) {
            if (room.equals(s.room)) s.offer(e);
        }
    }

    /** Publishes an audited admin action ({@code audit} event: the entry with its id) as it is written. */
    public void audited(AuditLog.Entry entry) {
        if (!subscribers.isEmpty()) publish(new Event("audit", entry));
    }

    /** A room was created through the admin API ({@code room.created}, the room as the rooms API shows it). */
    public void roomCreated(RoomRoutes.RoomView room) {
        if (!subscribers.isEmpty()) publish(new Event("room.created", room));
    }

    /** A room was closed or reopened ({@code room.closed} / {@code room.reopened}, the room after the change). */
    public void roomClosed(RoomRoutes.RoomView room, boolean closed) {
        if (!subscribers.isEmpty()) publish(new Event(closed ? "room.closed" : "room.reopened", room));
    }

    /** A ban was added or replaced ({@code ban.added}, the ban as the bans API shows it). */
    public void banAdded(io.switchboard.chat.Bans.Ban ban) {
        if (!subscribers.isEmpty()) publish(new Event("ban.added", ban));
    }

    /** This node's state changed ({@code node}, e.g. a drain started or progressed; the same map as in snapshots). */
    public void nodeChanged(Map<String, Object> state) {
        node = state;
        if (!subscribers.isEmpty()) publish(new Event("node", state));
    }

    /** A ban was lifted ({@code ban.lifted}, {@code {"user": ...}}). */
    public void banLifted(String user) {
        if (!subscribers.isEmpty()) publish(new Event("ban.lifted", Map.of("user", user)));
    }

    /** Called every second by the server's timer. */
    public void tick() {
        Stats s = stats();
        latest = s;
        synchronized (history) {
            if (history.size() >= HISTORY_TICKS) history.removeFirst();
            history.addLast(s.figures());
        }
        if (!subscribers.isEmpty()) publish(new Event("stats", s));
    }

    /** The kept stats ticks, oldest first, at most {@link #HISTORY_TICKS}, without per-connection counters. */
    public List<Stats> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    private synchronized Stats stats() {
        long now = System.nanoTime();
        double seconds = Math.max(0.001, (now - lastTick) / 1e9);
        long in = metrics.messagesIn.getCount();
        long out = metrics.messagesOut.getCount();
        long deliveries = metrics.deliveries.getCount();
        Stats s = new Stats(System.currentTimeMillis(), hub.connectionCount(), hub.userCount(), hub.rooms().size(),
                round((in - lastIn) / seconds), round((out - lastOut) / seconds), round((deliveries - lastDeliveries) / seconds),
                round(metrics.deliveryLatency.getSnapshot().get99thPercentile() / 1e6),
                heap().getUsed(), heap().getMax(), (System.currentTimeMillis() - startedAt) / 1000, counters(), roomActivity());
        lastTick = now;
        lastIn = in;
        lastOut = out;
        lastDeliveries = deliveries;
        return s;
    }

    /** Per-connection [framesIn, framesOut, queued] so that tables stay current without polling. */
    private Map<String, long[]> counters() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (Connection c : hub.connections()) {
            if (m.size() >= MAX_COUNTERS) break;
            m.put(c.id(), new long[] {c.framesIn(), c.framesOut(), c.queued()});
        }
        return m;
    }

    /**
     * Per active room [lastSeq, lastActivity, users online, connections], so that room lists show new messages and
     * true live counts without a reload; beyond {@link #MAX_COUNTERS} rooms, the ones with the most connections.
     */
    private Map<String, long[]> roomActivity() {
        List<long[]> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Room r : hub.rooms()) {
            names.add(r.name());
            values.add(new long[] {r.lastSeq(), r.lastActivity(), r.onlineUsers().size(), r.connectionCount()});
        }
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (order.length > MAX_COUNTERS) java.util.Arrays.sort(order, (a, b) -> Long.compare(values.get(b)[3], values.get(a)[3]));
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(order.length, MAX_COUNTERS); i++) m.put(names.get(order[i]), values.get(order[i]));
        return m;
    }

    private static MemoryUsage heap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Ends every stream and waits (briefly) until they have returned, before Jetty recycles their responses. */
    public void stop() {
        stopped = true;
        for (Subscriber s : subscribers) s.queue.offer(WAKE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (serving.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // a short, bounded shutdown wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
