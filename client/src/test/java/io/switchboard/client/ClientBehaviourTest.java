package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's protocol behaviour against a scripted server: ordering, retries, reconnects, terminal closes. */
@Timeout(60)
class ClientBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeServer server;
    private final List<SwitchboardClient> clients = new ArrayList<>();

    /** Keeps what the client delivers and on which thread. */
    static final class Recorder implements Listener {
        final List<Object> events = new ArrayList<>();
        final List<String> states = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        private synchronized void add(Object e) {
            events.add(e);
            threads.add(Thread.currentThread());
        }

        @Override
        public void onMessage(Message m) {
            add(m);
        }

        @Override
        public void onDirectMessage(DirectMessage m) {
            add(m);
        }

        @Override
        public void onSystem(SystemNotice n) {
            add(n);
        }

        @Override
        public void onDeleted(Deleted d) {
            add(d);
        }

        @Override
        public void onError(SwitchboardException e) {
            add(e);
        }

        @Override
        public void onReset(Reset reset) {
            add(reset);
        }

        @Override
        public synchronized void onStateChange(State state, String reason) {
            states.add(state + (reason == null ? "" : " " + reason));
            threads.add(Thread.currentThread());
        }

        synchronized List<Object> events() {
            return List.copyOf(events);
        }

        synchronized List<Long> seqs() {
            List<Long> out = new ArrayList<>();
            for (Object e : events) {
                if (e instanceof Message m) out.add(m.seq());
                else if (e instanceof SystemNotice s && s.seq() != null) out.add(s.seq());
                else if (e instanceof DirectMessage d) out.add(d.seq());
            }
            return out;
        }

        /** Direct-message seqs and resets ("reset"), in delivery order. */
        synchronized List<Object> dmLog() {
            List<Object> out = new ArrayList<>();
            for (Object e : events) {
                if (e instanceof DirectMessage d) out.add(d.seq());
                else if (e instanceof Reset x && x.directMessages()) out.add("reset");
            }
            return out;
        }

        /** Room seqs and resets ("reset"), in delivery order. */
        synchronized List<Object> roomLog() {
            List<Object> out = new ArrayList<>();
            for (Object e : events) {
                if (e instanceof Message m) out.add(m.seq());
                else if (e instanceof Reset x && !x.directMessages()) out.add("reset");
            }
            return out;
        }

        synchronized List<Reset> resets() {
            return events.stream().filter(e -> e instanceof Reset).map(e -> (Reset) e).toList();
        }

        synchronized List<String> states() {
            return List.copyOf(states);
        }

        synchronized long threadCount() {
            return threads.stream().distinct().count();
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = new FakeServer();
    }

    @AfterEach
    void stop() throws IOException {
        for (SwitchboardClient c : clients) c.close();
        server.close();
    }

    private SwitchboardClient client(Recorder r, Supplier<String> tokens) {
        SwitchboardClient c = SwitchboardClient.builder(server.uri())
                .tokenSupplier(tokens)
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(50), 0)
                .outboxLimit(10)
                .listener(r)
                .build();
        clients.add(c);
        return c;
    }

    private SwitchboardClient client(Recorder r) {
        return client(r, () -> "token");
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10); // polling interval, not a wait for the condition itself
        }
    }

    private static String message(String room, long seq, String id, String text) {
        return "{\"type\":\"message\",\"room\":\"" + room + "\",\"seq\":" + seq + ",\"id\":\"" + id
                + "\",\"from\":\"bob\",\"text\":\"" + text + "\",\"ts\":1}";
    }

    private static String joined(String room, long seq) {
        return "{\"type\":\"joined\",\"room\":\"" + room + "\",\"seq\":" + seq + ",\"members\":[\"u\"]}";
    }

    /** Connects a client and joins {@code room} at {@code seq} on a fresh connection. */
    private FakeServer.Peer connectedIn(SwitchboardClient c, String room, long seq) throws Exception {
        CompletionStage<Welcome> welcome = c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30);
        await(welcome);
        CompletionStage<Joined> joined = c.join(room);
        JsonNode join = p.expect("join");
        assertEquals(room, join.get("room").asText());
        assertFalse(join.has("since"), "a first join starts from now");
        p.send(joined(room, seq));
        assertEquals(seq, await(joined).seq());
        return p;
    }

    @Test
    void duplicatesAreDroppedAndAGapSeenLiveIsFetchedBeforeLaterMessagesAreDelivered() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p = connectedIn(c, "r", 5);
        p.send(message("r", 5, "old", "before the join"));
        p.send(message("r", 6, "a", "six"));
        p.send(message("r", 6, "a", "six again"));
        p.send(message("r", 8, "c", "eight"));
        JsonNode history = p.expect("history");
        assertEquals("r", history.get("room").asText());
        assertEquals(8, history.get("before").asLong());
        assertEquals(1, history.get("limit").asInt());
        p.send("{\"type\":\"history\",\"id\":\"" + history.get("id").asText() + "\",\"room\":\"r\",\"messages\":["
                + message("r", 7, "b", "seven").replace("\"type\":\"message\",", "") + "],\"hasMore\":true}");
        p.send(message("r", 9, "d", "nine"));
        until("four messages", () -> r.seqs().size() >= 4);
        assertEquals(List.of(6L, 7L, 8L, 9L), r.seqs());
        assertEquals("six", ((Message) r.events().get(0)).text());
        assertEquals(1, r.threadCount(), "every callback on the client's one callback thread");
    }

    @Test
    void aLongGapIsPagedForwardsInPagesOfTheServersMaximum() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30); // historyPageMax 3
        c.join("r", 0L);
        assertEquals(0, p.expect("join").get("since").asLong());
        p.send("{\"type\":\"joined\",\"room\":\"r\",\"seq\":10,\"members\":[],\"replayed\":2,\"hasMore\":true,\"firstReplayed\":9}");
        p.send(message("r", 9, "m9", "9"));
        p.send(message("r", 10, "m10", "10"));
        long[][] pages = {{4, 3}, {7, 3}, {9, 2}};
        long next = 1;
        for (long[] page : pages) {
            JsonNode h = p.expect("history");
            assertEquals(page[0], h.get("before").asLong(), "pages forwards: " + h);
            assertEquals(page[1], h.get("limit").asLong());
            StringBuilder ms = new StringBuilder();
            for (; next < page[0]; next++) {
                if (ms.length() > 0) ms.append(',');
                ms.append(message("r", next, "m" + next, String.valueOf(next)));
            }
            p.send("{\"type\":\"history\",\"id\":\"" + h.get("id").asText() + "\",\"room\":\"r\",\"messages\":[" + ms + "],\"hasMore\":true}");
        }
        until("ten messages", () -> r.seqs().size() >= 10);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), r.seqs());
        assertTrue(p.quietFor(Duration.ofMillis(200)), "nothing more is asked");
    }

    @Test
    void anUnackedMessageIsSentAgainWithItsIdAfterAReconnectAndTheDuplicateAckCompletesIt() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p1 = connectedIn(c, "r", 0);
        CompletionStage<Ack> ack = c.send("r", "hello");
        String id = p1.expect("send").get("id").asText();
        p1.close(1001, "going_away"); // stored, but the ack never left

        FakeServer.Peer p2 = server.acceptWelcomed("u", 30);
        JsonNode join = p2.expect("join");
        assertEquals(0, join.get("since").asLong(), "resumes after the last delivered seq");
        JsonNode again = p2.expect("send");
        assertEquals(id, again.get("id").asText(), "the same id");
        assertEquals("hello", again.get("text").asText());
        p2.send(joined("r", 1));
        p2.send(message("r", 1, id, "hello"));
        p2.send("{\"type\":\"ack\",\"id\":\"" + id + "\",\"room\":\"r\",\"seq\":1,\"ts\":1,\"duplicate\":true}");
        Ack a = await(ack);
        assertTrue(a.duplicate());
        assertEquals(1, a.seq());
        until("the message", () -> r.seqs().size() == 1);
        assertTrue(r.states().stream().anyMatch(s -> s.startsWith("RECONNECTING 1001")), r.states().toString());
    }

    @Test
    void busyUnavailableAndRateLimitedAreRetriedWithTheSameIdOtherErrorsFailTheSend() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p = connectedIn(c, "r", 0);
        CompletionStage<Ack> ack = c.send("r", "persistent");
        String id = p.expect("send").get("id").asText();
        for (String code : List.of("busy", "unavailable")) {
            p.send("{\"type\":\"error\",\"code\":\"" + code + "\",\"message\":\"retry\",\"id\":\"" + id + "\"}");
            assertEquals(id, p.expect("send").get("id").asText(), "retried after " + code);
        }
        p.send("{\"type\":\"ack\",\"id\":\"" + id + "\",\"room\":\"r\",\"seq\":1,\"ts\":1}");
        assertFalse(await(ack).duplicate());

        CompletionStage<Ack> refused = c.send("r", "nope");
        String id2 = p.expect("send").get("id").asText();
        p.send("{\"type\":\"error\",\"code\":\"room_forbidden\",\"message\":\"no\",\"id\":\"" + id2 + "\"}");
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(refused));
        assertEquals("room_forbidden", assertInstanceOf(SwitchboardException.class, e.getCause()).code());
        assertEquals(0, c.pending());
    }

    private static String dm(long seq, String id) {
        return "{\"type\":\"dm\",\"seq\":" + seq + ",\"id\":\"" + id + "\",\"from\":\"bob\",\"to\":\"u\",\"text\":\"hi\",\"ts\":1}";
    }

    private static String dmHistory(String id, long... seqs) {
        StringBuilder ms = new StringBuilder();
        for (long seq : seqs) ms.append(ms.length() == 0 ? "" : ",").append(dm(seq, "d" + seq));
        return "{\"type\":\"dm_history\",\"id\":\"" + id + "\",\"messages\":[" + ms + "],\"hasMore\":true}";
    }

    private static String history(String id, String room, long... seqs) {
        StringBuilder ms = new StringBuilder();
        for (long seq : seqs) ms.append(ms.length() == 0 ? "" : ",").append(message(room, seq, "m" + seq, String.valueOf(seq)));
        return "{\"type\":\"history\",\"id\":\"" + id + "\",\"room\":\"" + room + "\",\"messages\":[" + ms + "],\"hasMore\":true}";
    }

    private static String joined(String room, long seq, String epoch) {
        return "{\"type\":\"joined\",\"room\":\"" + room + "\",\"seq\":" + seq + ",\"members\":[\"u\"],\"epoch\":\"" + epoch + "\"}";
    }

    /** Puts a marker through the client: everything the server sent before it has been handled once it arrives. */
    private static void fence(FakeServer.Peer p, Recorder r) throws InterruptedException {
        int before = (int) r.events().stream().filter(e -> e instanceof SystemNotice).count();
        p.send("{\"type\":\"system\",\"text\":\"fence\",\"ts\":1}");
        until("the fence", () -> r.events().stream().filter(e -> e instanceof SystemNotice).count() > before);
    }

    @Test
    void directMessagesResumeAfterAReconnectFromTheLastDeliveredPositionExactlyOnce() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        c.connect();
        FakeServer.Peer p1 = server.acceptWelcomed("u", 30, 4, "e1");
        assertFalse(p1.query.containsKey("dmSince"), "a fresh client asks for nothing old: " + p1.query);
        for (long seq : new long[] {4, 5, 6, 6}) p1.send(dm(seq, "d" + seq)); // 4 is the welcome's position: old
        until("5 and 6", () -> r.dmLog().size() == 2);
        p1.close(1001, "going_away");

        FakeServer.Peer p2 = server.acceptWelcomed("u", 30, 8, "e1");
        assertEquals("6", p2.query.get("dmSince"), "resumes after the last delivered");
        assertEquals("e1", p2.query.get("dmEpoch"));
        for (long seq : new long[] {6, 7, 8, 9}) p2.send(dm(seq, "d" + seq)); // the replay, then a live one
        fence(p2, r);
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), r.dmLog(), "no gap, no duplicate");
        assertTrue(p2.quietFor(Duration.ofMillis(200)), "nothing is fetched: the replay covered it");
        assertTrue(r.resets().isEmpty());
    }

    @Test
    void aStoredDmPositionIsResumedOnTheFirstConnectionAndAFreshClientPagesDmHistoryOnRequest() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient resumed = SwitchboardClient.builder(server.uri()).token("t").listener(r)
                .dmResume(new Position(41, "x7/Kq+")).build();
        clients.add(resumed);
        resumed.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30, 43, "x7/Kq+");
        assertEquals("41", p.query.get("dmSince"));
        assertEquals("x7/Kq+", p.query.get("dmEpoch"), "the epoch travels URL-encoded");
        p.send(dm(42, "d42"));
        p.send(dm(43, "d43"));
        until("the replay", () -> r.dmLog().size() == 2);
        assertEquals(List.of(42L, 43L), r.dmLog());

        Recorder fresh = new Recorder();
        SwitchboardClient c = client(fresh);
        c.connect();
        FakeServer.Peer q = server.acceptWelcomed("u", 30, 43, "x7/Kq+");
        assertFalse(q.query.containsKey("dmSince"));
        CompletionStage<DirectHistory> page = c.dmHistory(null, 2);
        JsonNode ask = q.expect("dm_history");
        assertEquals(2, ask.get("limit").asInt());
        assertFalse(ask.has("before"), "the newest");
        q.send(dmHistory(ask.get("id").asText(), 42, 43));
        DirectHistory h = await(page);
        assertEquals(List.of(42L, 43L), h.messages().stream().map(DirectMessage::seq).toList());
        assertTrue(h.hasMore());
        fence(q, fresh);
        assertEquals(List.of(), fresh.dmLog(), "a history page is the application's, not delivered as live DMs");
        assertEquals(0, c.pending());
    }

    @Test
    void aHoleInTheDmStreamIsFetchedWithDmHistoryBeforeLaterDmsAreDelivered() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30, 2, "e1");
        p.send(dm(3, "d3"));
        p.send(dm(6, "d6"));
        JsonNode ask = p.expect("dm_history");
        assertEquals(6, ask.get("before").asLong());
        assertEquals(2, ask.get("limit").asInt());
        p.send(dmHistory(ask.get("id").asText(), 4, 5));
        until("four DMs", () -> r.dmLog().size() == 4);
        assertEquals(List.of(3L, 4L, 5L, 6L), r.dmLog());
    }

    @Test
    void aNewDmEpochDropsThePositionTellsTheApplicationAndRePagesTheNewest() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("t").listener(r)
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(50), 0).resetPage(4).build();
        clients.add(c);
        c.connect();
        FakeServer.Peer p1 = server.acceptWelcomed("u", 30, 10, "e1");
        p1.send(dm(11, "d11"));
        until("11", () -> r.dmLog().size() == 1);
        p1.close(1001, "going_away");

        FakeServer.Peer p2 = server.acceptWelcomed("u", 30, 20, "e2"); // restored from a backup: another epoch
        assertEquals("11", p2.query.get("dmSince"));
        JsonNode first = p2.expect("dm_history"); // the newest 4 (16..20... 17..20), forwards in pages of 3
        assertEquals(20, first.get("before").asLong());
        assertEquals(3, first.get("limit").asInt());
        p2.send(dm(21, "d21")); // live meanwhile: held until the page is in
        p2.send(dmHistory(first.get("id").asText(), 17, 18, 19));
        JsonNode second = p2.expect("dm_history");
        assertEquals(21, second.get("before").asLong());
        assertEquals(1, second.get("limit").asInt());
        p2.send(dmHistory(second.get("id").asText(), 20));
        until("the re-paged and the live", () -> r.dmLog().size() == 7);
        assertEquals(List.of(11L, "reset", 17L, 18L, 19L, 20L, 21L), r.dmLog());
        Reset reset = r.resets().get(0);
        assertEquals(new Reset(null, new Position(11, "e1"), new Position(20, "e2")), reset);
        assertEquals(new Position(20, "e2"), c.welcome().dms());

        p2.close(1001, "going_away");
        FakeServer.Peer p3 = server.acceptWelcomed("u", 30, 21, "e2");
        assertEquals("21", p3.query.get("dmSince"), "the new position, in the new epoch");
        assertEquals("e2", p3.query.get("dmEpoch"));
    }

    @Test
    void aDmStreamShorterThanThePositionResetsToo() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("t").listener(r)
                .dmResume(new Position(9, "e1")).resetPage(0).build();
        clients.add(c);
        c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30, 5, "e1"); // same epoch, but only 5 long
        assertEquals("9", p.query.get("dmSince"));
        until("the reset", () -> r.resets().size() == 1);
        assertEquals(new Reset(null, new Position(9, "e1"), new Position(5, "e1")), r.resets().get(0));
        p.send(dm(6, "d6"));
        until("6", () -> r.dmLog().size() == 2);
        assertEquals(List.of("reset", 6L), r.dmLog(), "resetPage 0: nothing re-paged, live from the server's position");
        assertTrue(p.quietFor(Duration.ofMillis(200)), "no history asked for");
    }

    @Test
    void aRoomInAnotherEpochIsResetAndItsNewestMessagesRePaged() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("t").listener(r)
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(50), 0).resetPage(3).build();
        clients.add(c);
        c.connect();
        FakeServer.Peer p1 = server.acceptWelcomed("u", 30);
        CompletionStage<Joined> joined = c.join("r");
        assertFalse(p1.expect("join").has("epoch"), "no position, no epoch");
        p1.send(joined("r", 5, "e1"));
        assertEquals("e1", await(joined).epoch());
        p1.send(message("r", 6, "m6", "six"));
        until("6", () -> r.roomLog().size() == 1);
        p1.close(1001, "going_away");

        FakeServer.Peer p2 = server.acceptWelcomed("u", 30);
        JsonNode join = p2.expect("join");
        assertEquals(6, join.get("since").asLong());
        assertEquals("e1", join.get("epoch").asText(), "the position's epoch goes with it");
        p2.send(joined("r", 9, "e2")); // the server replays nothing from another epoch
        JsonNode page = p2.expect("history");
        assertEquals(10, page.get("before").asLong());
        assertEquals(3, page.get("limit").asInt());
        p2.send(history(page.get("id").asText(), "r", 7, 8, 9));
        p2.send(message("r", 10, "m10", "ten"));
        until("the re-paged and the live", () -> r.roomLog().size() == 6);
        assertEquals(List.of(6L, "reset", 7L, 8L, 9L, 10L), r.roomLog());
        assertEquals(new Reset("r", new Position(6, "e1"), new Position(9, "e2")), r.resets().get(0));

        p2.close(1001, "going_away");
        FakeServer.Peer p3 = server.acceptWelcomed("u", 30);
        JsonNode again = p3.expect("join");
        assertEquals(10, again.get("since").asLong());
        assertEquals("e2", again.get("epoch").asText());
    }

    @Test
    void aRoomWhoseSequenceIsBelowThePositionIsResetAndAStoredPositionInTheSameEpochIsNot() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("t").listener(r).resetPage(2).build();
        clients.add(c);
        c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 30);
        CompletionStage<Joined> shorter = c.resume("short", new Position(8, "e1"));
        CompletionStage<Joined> same = c.resume("same", new Position(3, "e1"));
        JsonNode j1 = p.expect("join");
        JsonNode j2 = p.expect("join");
        assertEquals(8, j1.get("since").asLong());
        assertEquals("e1", j1.get("epoch").asText());
        assertEquals("e1", j2.get("epoch").asText());
        p.send(joined("short", 4, "e1")); // same epoch, but shorter than what was delivered
        p.send(joined("same", 4, "e1"));
        p.send(message("same", 4, "s4", "four")); // the replay
        JsonNode page = p.expect("history");
        assertEquals("short", page.get("room").asText());
        assertEquals(5, page.get("before").asLong());
        assertEquals(2, page.get("limit").asInt());
        p.send(history(page.get("id").asText(), "short", 3, 4));
        await(shorter);
        await(same);
        until("three messages", () -> r.seqs().size() == 3);
        assertEquals(List.of(new Reset("short", new Position(8, "e1"), new Position(4, "e1"))), r.resets());
        List<String> delivered = r.events().stream().filter(e -> e instanceof Message).map(e -> ((Message) e).room()
                + ((Message) e).seq()).toList();
        assertTrue(delivered.containsAll(List.of("short3", "short4", "same4")), delivered.toString());
    }

    @Test
    void anIdConflictFailsTheMessageClearlyAndItIsNeverSentAgain() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p1 = connectedIn(c, "r", 0);
        CompletionStage<Ack> send = c.send("r", "other text", "fixed-1");
        CompletionStage<Ack> dm = c.dm("bob", "hi", "fixed-2");
        CompletionStage<Ack> fine = c.send("r", "fine", "fixed-3");
        assertEquals("fixed-1", p1.expect("send").get("id").asText());
        assertEquals("fixed-2", p1.expect("dm").get("id").asText());
        assertEquals("fixed-3", p1.expect("send").get("id").asText());
        p1.send("{\"type\":\"error\",\"code\":\"id_conflict\",\"message\":\"id fixed-1 names another message\",\"id\":\"fixed-1\"}");
        p1.send("{\"type\":\"error\",\"code\":\"id_conflict\",\"message\":\"id fixed-2 names another message\",\"id\":\"fixed-2\"}");
        for (CompletionStage<Ack> failed : List.of(send, dm)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(failed));
            SwitchboardException x = assertInstanceOf(SwitchboardException.class, e.getCause());
            assertEquals("id_conflict", x.code());
            assertTrue(x.getMessage().contains("already names another message"), x.getMessage());
        }
        assertEquals(1, c.pending(), "only the unacked good one waits");
        assertTrue(p1.quietFor(Duration.ofMillis(200)), "not retried on this connection");

        p1.close(1001, "going_away");
        FakeServer.Peer p2 = server.acceptWelcomed("u", 30);
        p2.expect("join");
        JsonNode resent = p2.expect("send");
        assertEquals("fixed-3", resent.get("id").asText(), "the unacked one is sent again");
        assertTrue(p2.quietFor(Duration.ofMillis(300)), "the conflicting ones are not sent again after a reconnect");
        p2.send("{\"type\":\"ack\",\"id\":\"fixed-3\",\"room\":\"r\",\"seq\":1,\"ts\":1}");
        assertEquals(1, await(fine).seq());
    }

    @Test
    void invalidUnicodeAndUnusableIdsAreRefusedBeforeAnythingIsSent() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p = connectedIn(c, "r", 0);
        CompletionStage<Ack> waiting = c.send("r", "first", "mine");
        p.expect("send");
        for (CompletionStage<Ack> refused : List.of(c.send("r", "half an emoji \ud83d"), c.dm("b\udc00b", "hi"),
                c.send("r", "x", "j.r"), c.send("r", "x", ""), c.send("r", "again", "mine"))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(refused));
            String code = assertInstanceOf(SwitchboardException.class, e.getCause()).code();
            assertTrue(code.equals("invalid_frame") || code.equals("duplicate_id"), code);
        }
        assertTrue(p.quietFor(Duration.ofMillis(200)), "nothing reached the server");
        p.send("{\"type\":\"ack\",\"id\":\"mine\",\"room\":\"r\",\"seq\":1,\"ts\":1}");
        assertEquals(1, await(waiting).seq());
        assertEquals(0, c.pending());
    }

    @Test
    void aSilentConnectionIsReplacedAfterTwiceTheHeartbeat() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        c.connect();
        FakeServer.Peer silent = server.acceptWelcomed("u", 1);
        long start = System.nanoTime();
        server.acceptWelcomed("u", 30);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 1900, "not before 2 x heartbeat: " + waited + " ms");
        assertTrue(r.states().stream().anyMatch(s -> s.startsWith("RECONNECTING no frame for")), r.states().toString());
        until("the silent socket is dropped", silent::isClosed);
    }

    @Test
    void pingsAreAnsweredAndKeepAQuietConnectionAlive() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        c.connect();
        FakeServer.Peer p = server.acceptWelcomed("u", 1);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3000);
        while (System.nanoTime() < end) {
            p.ping();
            assertTrue(server.noConnectionWithin(Duration.ofMillis(400)), "no reconnect while pings come");
        }
        assertTrue(p.pongs() >= 5, "the JDK answered the pings: " + p.pongs());
        assertEquals(State.CONNECTED, c.state());
    }

    @Test
    void aBanIsTerminalAndFailsPendingSends() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p = connectedIn(c, "r", 0);
        CompletionStage<Ack> pending = c.send("r", "hello");
        p.expect("send");
        p.close(4003, "banned");
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(pending));
        ClientClosedException closed = assertInstanceOf(ClientClosedException.class, e.getCause());
        assertEquals(4003, closed.closeCode());
        assertEquals(State.CLOSED, c.state());
        assertTrue(server.noConnectionWithin(Duration.ofMillis(300)), "no reconnect after a ban");
    }

    @Test
    void tokenProblemsAreRetriedWithTheSuppliersNextTokenUntilItTooIsRefused() throws Exception {
        Recorder r = new Recorder();
        AtomicInteger n = new AtomicInteger();
        SwitchboardClient c = client(r, () -> "t" + n.incrementAndGet());
        CompletionStage<Welcome> welcome = c.connect();
        FakeServer.Peer p1 = server.accept();
        assertEquals("t1", p1.token());
        p1.close(4002, "token_expired");
        FakeServer.Peer p2 = server.accept();
        assertEquals("t2", p2.token(), "a fresh token after 4002");
        p2.close(4001, "token_invalid");
        FakeServer.Peer p3 = server.accept();
        assertEquals("t3", p3.token(), "one more fresh token after 4001");
        p3.close(4001, "token_invalid");
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(welcome));
        assertEquals(4001, assertInstanceOf(ClientClosedException.class, e.getCause()).closeCode());
        assertTrue(server.noConnectionWithin(Duration.ofMillis(300)));
    }

    @Test
    void aFixedTokenIsNotRetriedAfter4001() throws Exception {
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("fixed").build();
        clients.add(c);
        CompletionStage<Welcome> welcome = c.connect();
        FakeServer.Peer p = server.accept();
        assertEquals("fixed", p.token());
        p.close(4001, "token_signature");
        assertThrows(ExecutionException.class, () -> await(welcome));
        assertEquals(State.CLOSED, c.state());
    }

    @Test
    void aDrainsCloseReconnectsAtOnceWithoutBackoffAndResumesWhileA1012BeforeTheWelcomeIsAFailedAttempt() throws Exception {
        Recorder r = new Recorder();
        // One failed attempt ends this client, and its backoff would be up to a minute: only the drain rule
        // reconnects at once.
        SwitchboardClient c = SwitchboardClient.builder(server.uri()).token("t")
                .reconnect(Duration.ofSeconds(60), Duration.ofSeconds(60), 1).listener(r).build();
        clients.add(c);
        FakeServer.Peer p1 = connectedIn(c, "r", 0);
        p1.send(message("r", 1, "a", "one"));
        p1.send(message("r", 2, "b", "two"));
        until("two messages", () -> r.seqs().size() == 2);
        CompletionStage<Ack> ack = c.send("r", "unacked when drained");
        String id = p1.expect("send").get("id").asText();

        long closed = System.nanoTime();
        p1.close(1012, "draining");
        FakeServer.Peer p2 = server.acceptWelcomed("u", 30);
        long waitedMs = (System.nanoTime() - closed) / 1_000_000;
        assertTrue(waitedMs < 1500, "reconnected after the jitter of at most 1 s, not the backoff: " + waitedMs + " ms");
        assertEquals(2, p2.expect("join").get("since").asLong(), "resumes after the last delivered seq");
        assertEquals(id, p2.expect("send").get("id").asText(), "the unacked message again, with its id");
        p2.send(joined("r", 3));
        p2.send(message("r", 3, id, "unacked when drained"));
        p2.send("{\"type\":\"ack\",\"id\":\"" + id + "\",\"room\":\"r\",\"seq\":3,\"ts\":1}");
        assertEquals(3, await(ack).seq());
        until("three messages", () -> r.seqs().size() == 3);
        assertEquals(List.of(1L, 2L, 3L), r.seqs());
        assertTrue(r.states().stream().anyMatch(s -> s.startsWith("RECONNECTING 1012 draining")), r.states().toString());

        // Drained again; this time the next node refuses before any welcome (it drains too): a failed attempt like
        // any other, which with maxTries 1 ends the client.
        p2.close(1012, "draining");
        server.accept().close(1012, "draining");
        until("the client to give up", () -> c.state() == State.CLOSED);
        assertTrue(server.noConnectionWithin(Duration.ofMillis(300)), "no attempt after giving up");
    }

    @Test
    void theClientGivesUpAfterMaxTriesFailedAttemptsInARow() throws Exception {
        SwitchboardClient c = SwitchboardClient.builder(server.uri())
                .token("t").reconnect(Duration.ofMillis(5), Duration.ofMillis(20), 3).build();
        clients.add(c);
        CompletionStage<Welcome> welcome = c.connect();
        for (int i = 0; i < 3; i++) server.accept().close(1013, "try_again_later");
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(welcome));
        ClientClosedException closed = assertInstanceOf(ClientClosedException.class, e.getCause());
        assertEquals(-1, closed.closeCode());
        assertTrue(closed.reason().startsWith("gave up after 3 failed attempt(s); last: 1013"), closed.reason());
        assertTrue(server.noConnectionWithin(Duration.ofMillis(300)), "no fourth attempt");
    }

    @Test
    void anUnreachableServerIsRetriedLikeADisconnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SwitchboardClient c = SwitchboardClient.builder(java.net.URI.create("ws://127.0.0.1:" + port + "/ws"))
                .token("t").reconnect(Duration.ofMillis(5), Duration.ofMillis(20), 2).build();
        clients.add(c);
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(c.connect()));
        String reason = assertInstanceOf(ClientClosedException.class, e.getCause()).reason();
        assertTrue(reason.startsWith("gave up after 2 failed attempt(s); last: connect failed"), reason);
    }

    @Test
    void theOutboxRefusesRequestsBeyondItsLimitAtOnce() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r); // limit 10, never connected
        List<CompletableFuture<Ack>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) queued.add(c.send("r", "m" + i).toCompletableFuture());
        CompletableFuture<Ack> over = c.send("r", "over").toCompletableFuture();
        assertTrue(over.isCompletedExceptionally());
        assertInstanceOf(OutboxFullException.class, assertThrows(ExecutionException.class, over::get).getCause());
        assertTrue(queued.stream().noneMatch(CompletableFuture::isDone));
        c.close();
        for (CompletableFuture<Ack> q : queued) {
            assertInstanceOf(ClientClosedException.class, assertThrows(ExecutionException.class, () -> q.get(5, TimeUnit.SECONDS)).getCause());
        }
        assertEquals(0, c.pending());
    }

    @Test
    void callbacksRunOnTheClientsOwnThreadNotTheCallers() throws Exception {
        Recorder r = new Recorder();
        SwitchboardClient c = client(r);
        FakeServer.Peer p = connectedIn(c, "r", 0);
        Thread[] ackThread = new Thread[1];
        CompletionStage<Ack> ack = c.send("r", "x").thenApply(a -> {
            ackThread[0] = Thread.currentThread();
            return a;
        });
        String id = p.expect("send").get("id").asText();
        p.send("{\"type\":\"ack\",\"id\":\"" + id + "\",\"room\":\"r\",\"seq\":1,\"ts\":1}");
        p.send(message("r", 1, id, "x"));
        await(ack);
        until("the echo", () -> r.seqs().size() == 1);
        assertNotEquals(Thread.currentThread(), ackThread[0]);
        assertEquals(1, r.threadCount());
        assertTrue(r.threads.contains(ackThread[0]), "futures complete on the callback thread too");
    }

    @Test
    void aBlankTextIsAProgrammingError() {
        SwitchboardClient c = client(new Recorder());
        assertThrows(IllegalArgumentException.class, () -> c.send("r", "  "));
        assertThrows(NullPointerException.class, () -> c.dm(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> SwitchboardClient.builder(java.net.URI.create("http://x/ws")));
        assertThrows(IllegalStateException.class, () -> SwitchboardClient.builder(server.uri()).build());
    }
}
