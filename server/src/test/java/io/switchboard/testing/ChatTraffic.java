package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.Ack;
import io.switchboard.client.Joined;
import io.switchboard.client.Listener;
import io.switchboard.client.Message;
import io.switchboard.client.OutboxFullException;
import io.switchboard.client.State;
import io.switchboard.client.SwitchboardClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Steady chat traffic from N clients of the Java client library ({@link SwitchboardClient}, which reconnects and
 * resumes by itself) in one room, with everything they were told recorded: every ack, every message delivered, and
 * when and why each connection ended. For tests that take a server (or a node behind a load balancer) away under
 * traffic and then check that nothing acked was lost and every client saw the room exactly once, in order.
 *
 * <p>Typical use: {@link #start}, {@link #awaitAcks}, take the node away, {@link #awaitAllReconnected},
 * {@link #stopSending}, then {@link #verify} with the room's history read by {@link #history}.
 */
public final class ChatTraffic implements AutoCloseable {
    /** One connection's end as a client saw it: {@code atNanos} from {@link System#nanoTime()}, reason as "1012 draining". */
    public record Ending(long atNanos, String reason) {
        /** The close code at the start of the reason, or -1 (a failed attempt has no code). */
        public int code() {
            int space = reason.indexOf(' ');
            try {
                return Integer.parseInt(space < 0 ? reason : reason.substring(0, space));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** One simulated user: its client and what it saw. */
    public static final class Member implements Listener {
        public final String user;
        final SwitchboardClient client;
        /** Seqs delivered by onMessage, in delivery order. */
        final List<Long> delivered = new ArrayList<>();
        final List<Ending> endings = new ArrayList<>();
        private int joins;
        private long firstJoinSeq = -1;
        private volatile State state = State.NEW;

        Member(String user, URI ws, Function<String, String> tokenFor) {
            this.user = user;
            this.client = SwitchboardClient.builder(ws)
                    .tokenSupplier(() -> tokenFor.apply(user))
                    .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1), 0)
                    .outboxLimit(10_000)
                    .listener(this)
                    .build();
        }

        @Override
        public synchronized void onMessage(Message m) {
            delivered.add(m.seq());
        }

        @Override
        public synchronized void onJoined(Joined j) {
            if (firstJoinSeq < 0) firstJoinSeq = j.seq();
            joins++;
        }

        @Override
        public synchronized void onStateChange(State s, String reason) {
            if (s == State.RECONNECTING && state != State.RECONNECTING) endings.add(new Ending(System.nanoTime(), String.valueOf(reason)));
            state = s;
        }

        public State state() {
            return state;
        }

        public synchronized int joins() {
            return joins;
        }

        /** Every time this client went to RECONNECTING: a connection's end, or a failed attempt after one. */
        public synchronized List<Ending> endings() {
            return List.copyOf(endings);
        }

        public synchronized List<Long> delivered() {
            return List.copyOf(delivered);
        }

        public synchronized long lastDelivered() {
            return delivered.isEmpty() ? firstJoinSeq : delivered.get(delivered.size() - 1);
        }
    }

    private final String room;
    private final List<Member> members = new ArrayList<>();
    /** id -> seq of every ack received. */
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chat-traffic-sender");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean sending = true;
    private long sent;

    private ChatTraffic(String room) {
        this.room = room;
    }

    /**
     * Connects {@code clients} users ({@code user0}…) to {@code ws}, joins {@code room}, waits until all are in it,
     * then has each send one message every {@code every} (also while disconnected: the client queues and retries
     * with the same id). Reconnects use a backoff of 100 ms to 1 s and never give up.
     *
     * @param tokenFor a valid client token for a user id
     */
    public static ChatTraffic start(URI ws, Function<String, String> tokenFor, int clients, String room, Duration every) {
        ChatTraffic t = new ChatTraffic(room);
        for (int i = 0; i < clients; i++) {
            Member m = new Member("user" + i, ws, tokenFor);
            t.members.add(m);
            m.client.connect();
            m.client.join(room);
        }
        Await.until(clients + " clients in " + room, Duration.ofSeconds(60),
                () -> t.members.stream().allMatch(m -> m.joins() >= 1));
        t.sender.scheduleAtFixedRate(t::sendRound, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    private synchronized void sendRound() {
        if (!sending) return;
        for (Member m : members) {
            String id = m.user + "-" + (++sent);
            try {
                m.client.send(room, "message " + id, id).whenComplete((Ack a, Throwable e) -> {
                    if (e != null) failed.add(id + ": " + e);
                    else acked.put(a.id(), a.seq());
                });
            } catch (OutboxFullException e) {
                failed.add(id + ": outbox full");
            }
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** id -> seq of every ack so far. */
    public Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    /** Waits until at least {@code n} more acks than {@code after} arrived. */
    public void awaitAcks(int after, int n, Duration timeout) {
        Await.until(n + " acks", timeout, () -> acked.size() >= after + n);
    }

    /** Waits until every client is connected again and has joined the room at least {@code joins} times. */
    public void awaitAllReconnected(int joins, Duration timeout) {
        Await.until("every client connected and joined " + joins + " times", timeout,
                () -> members.stream().allMatch(m -> m.state() == State.CONNECTED && m.joins() >= joins));
    }

    /** Stops sending and waits until every message sent so far is acked (none refused). */
    public void stopSending(Duration timeout) throws InterruptedException {
        sending = false;
        sender.shutdown();
        assertTrue(sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS));
        Await.until("every sent message acked (" + acked.size() + " so far; failed " + failed + ")", timeout,
                () -> acked.size() == sent || !failed.isEmpty());
        assertTrue(failed.isEmpty(), "sends failed: " + failed);
    }

    /** Messages sent so far (after {@link #stopSending}: all of them, each acked). */
    public synchronized long sent() {
        return sent;
    }

    /**
     * The checks after the disruption, against the room's whole history (by seq, as {@link #history} reads it):
     * every acked id is stored exactly once, under its acked seq; the history is gap-free; and every client was
     * delivered each seq after its first join exactly once, in order, up to the room's last seq.
     *
     * @return the number of acked messages missing from the history (0, or the assertion fails)
     */
    public int verify(TreeMap<Long, JsonNode> history, Duration timeout) {
        long roomSeq = history.isEmpty() ? 0 : history.lastKey();
        assertEquals(roomSeq, history.size(), "history is gap-free 1.." + roomSeq);
        Map<String, Long> stored = new java.util.HashMap<>();
        for (JsonNode m : history.values()) {
            assertEquals(null, stored.put(m.path("id").asText(), m.path("seq").asLong()), "stored once: " + m);
        }
        List<String> missing = new ArrayList<>();
        acked.forEach((id, seq) -> {
            if (!seq.equals(stored.get(id))) missing.add(id + "@" + seq + " stored@" + stored.get(id));
        });
        assertTrue(missing.isEmpty(), missing.size() + " acked message(s) not in history under their seq, e.g. "
                + missing.subList(0, Math.min(10, missing.size())));
        Await.until("every client delivered up to seq " + roomSeq, timeout,
                () -> members.stream().allMatch(m -> m.lastDelivered() >= roomSeq));
        for (Member m : members) {
            List<Long> seqs = m.delivered();
            Set<Long> seen = new HashSet<>();
            long expected = m.firstJoinSeq + 1;
            for (long seq : seqs) {
                assertTrue(seen.add(seq), m.user + " got seq " + seq + " twice");
                assertEquals(expected++, seq, m.user + " got the room out of order or with a gap");
            }
            assertEquals(roomSeq, expected - 1, m.user + " reached the room's last seq");
        }
        return missing.size();
    }

    /** The room's whole history, paged back from the newest message with {@code ws}; keyed by seq. */
    public static TreeMap<Long, JsonNode> history(WsClient ws, String room) {
        TreeMap<Long, JsonNode> all = new TreeMap<>();
        Long before = null;
        for (int page = 0; ; page++) {
            String id = "h" + page;
            if (before == null) ws.send("type", "history", "room", room, "id", id, "limit", 200);
            else ws.send("type", "history", "room", room, "id", id, "limit", 200, "before", before);
            JsonNode h = ws.await(f -> "history".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "history page");
            for (JsonNode m : h.get("messages")) {
                assertEquals(null, all.put(m.get("seq").asLong(), m), "seq " + m.get("seq") + " twice in history");
            }
            if (!h.get("hasMore").asBoolean() || h.get("messages").isEmpty()) return all;
            before = h.get("messages").get(0).get("seq").asLong();
        }
    }

    @Override
    public void close() {
        sending = false;
        sender.shutdownNow();
        for (Member m : members) m.client.close();
    }
}
