package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java client against a real server: restarts, token refresh, terminal closes and the outbox bound. */
@Timeout(120)
class SwitchboardClientTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SwitchboardClientTest.class);

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<SwitchboardClient> clients = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (SwitchboardClient c : clients) c.close();
        for (AutoCloseable s : servers) s.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private SwitchboardClient client(URI ws, java.util.function.Supplier<String> tokens, Recorder recorder, int outbox) {
        SwitchboardClient c = SwitchboardClient.builder(ws)
                .tokenSupplier(tokens)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500), 0)
                .outboxLimit(outbox)
                .listener(recorder)
                .build();
        clients.add(c);
        return c;
    }

    /** A server on a fixed port that can be stopped and started again on the same port and data dir. */
    private final class Restartable implements AutoCloseable {
        final Path dataDir;
        final Map<String, String> settings;
        final AtomicReference<TestServer> current = new AtomicReference<>();

        Restartable(Map<String, String> overrides) throws IOException {
            dataDir = Files.createTempDirectory("switchboard-client-test");
            settings = new HashMap<>(overrides);
            settings.put("port", String.valueOf(freePort()));
            servers.add(this);
        }

        TestServer start() {
            TestServer s = TestServer.start(dataDir, settings);
            current.set(s);
            return s;
        }

        void stop() {
            TestServer s = current.getAndSet(null);
            if (s != null) s.close();
        }

        URI ws() {
            return URI.create("ws://127.0.0.1:" + settings.get("port") + "/ws");
        }

        /** Tokens survive the restart: the signing secret is kept in the data dir. */
        String token(String user) {
            TestServer s = current.get();
            if (s == null) throw new IllegalStateException("server down");
            return s.token(user);
        }

        @Override
        public void close() {
            stop();
        }
    }

    private static HttpResponse<String> admin(TestServer server, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.adminToken());
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The room's whole history through the admin API, paged backwards, oldest first. */
    private static List<JsonNode> storedMessages(TestServer server, String room) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        Long before = null;
        while (true) {
            HttpResponse<String> r = admin(server, "GET", "/api/v1/rooms/" + room + "/messages?limit=200"
                    + (before == null ? "" : "&before=" + before), null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode page = JSON.readTree(r.body());
            List<JsonNode> messages = new ArrayList<>();
            page.get("messages").forEach(messages::add);
            all.addAll(0, messages);
            if (!page.get("hasMore").asBoolean() || messages.isEmpty()) return all;
            before = messages.get(0).get("seq").asLong();
        }
    }

    @Test
    void everyAckedMessageIsStoredAndSeenOnceInOrderWhenTheServerRestartsWhileClientsSend() throws Exception {
        int clientCount = 4;
        int perClient = 50;
        int total = clientCount * perClient;
        String room = "restart";
        Restartable server = new Restartable(Map.of("limits.rate", "50", "limits.burst", "50"));
        server.start();

        List<Recorder> recorders = new ArrayList<>();
        List<SwitchboardClient> senders = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            String user = "sender" + i;
            Recorder r = new Recorder();
            SwitchboardClient c = client(server.ws(), () -> server.token(user), r, 1000);
            await(c.connect());
            await(c.join(room));
            recorders.add(r);
            senders.add(c);
        }

        // Each client sends at a steady pace (one message per 50 ms); the server goes down half-way through.
        List<CompletableFuture<Ack>> acks = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> textById = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int k = 0; k < perClient; k++) {
                for (int i = 0; i < clientCount; i++) {
                    int client = i;
                    int n = k;
                    pace.schedule(() -> {
                        String text = "client " + client + " message " + n;
                        CompletableFuture<Ack> ack = senders.get(client).send(room, text).toCompletableFuture();
                        ack.thenAccept(a -> textById.put(a.id(), text));
                        acks.add(ack);
                        sent.incrementAndGet();
                    }, 50L * k + 10L * i, TimeUnit.MILLISECONDS);
                }
            }
            Await.until("half of the messages handed to the clients", WAIT, () -> sent.get() >= total / 2);
            server.stop();
            int atStop = sent.get();
            Await.until("more messages handed over while the server is down", WAIT, () -> sent.get() >= total * 3 / 4);
            Await.until("every client noticed the outage", WAIT,
                    () -> senders.stream().allMatch(c -> c.state() != State.CONNECTED));
            int atRestart = sent.get();
            TestServer restarted = server.start();
            Await.until("every message handed to the clients", WAIT, () -> sent.get() == total);

            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<Ack> acked = acks.stream().map(CompletableFuture::join).toList();
            Set<String> ackedIds = acked.stream().map(Ack::id).collect(Collectors.toSet());
            assertEquals(total, ackedIds.size(), "one ack per message, each with its own id");
            assertEquals(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toSet()),
                    acked.stream().map(Ack::seq).collect(Collectors.toSet()), "the acks cover seq 1.." + total);

            List<JsonNode> stored = storedMessages(restarted, room);
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(),
                    stored.stream().map(m -> m.get("seq").asLong()).toList(), "history is gap-free");
            Map<String, Long> storedIds = stored.stream().collect(Collectors.groupingBy(m -> m.get("id").asText(), Collectors.counting()));
            assertEquals(ackedIds, storedIds.keySet(), "every acked message is stored, and nothing else");
            assertTrue(storedIds.values().stream().allMatch(n -> n == 1), "no message is stored twice: " + storedIds);
            for (JsonNode m : stored) {
                assertEquals(textById.get(m.get("id").asText()), m.get("text").asText(), "text of " + m);
            }

            List<String> storedOrder = stored.stream().map(m -> m.get("id").asText()).toList();
            for (int i = 0; i < clientCount; i++) {
                Recorder r = recorders.get(i);
                Await.until("client " + i + " delivered all " + total + " messages", WAIT, () -> r.messages(room).size() >= total);
                List<Message> seen = r.messages(room);
                assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), seen.stream().map(Message::seq).toList(),
                        "client " + i + " saw every seq once, in order");
                assertEquals(storedOrder, seen.stream().map(Message::id).toList(), "client " + i + " saw what was stored");
                assertTrue(r.sawState(State.RECONNECTING, null), "client " + i + " reconnected: " + r.changes());
                assertEquals(1, r.deliveryThreads(), "callbacks come on one thread");
            }
            long retried = acked.stream().filter(Ack::duplicate).count();
            LOG.info("Restart test: {} acked, {} handed over while the server was down, {} acked as duplicates of a retry",
                    total, atRestart - atStop, retried);
        } finally {
            pace.shutdownNow();
        }
    }

    @Test
    void anExpiredTokenIsReplacedFromTheSupplierAndTheClientCarriesOn() throws Exception {
        Restartable server = new Restartable(Map.of());
        TestServer s = server.start();
        AtomicInteger calls = new AtomicInteger();
        // The second token (used for the reconnect after a kick) is already expired: the server closes with 4002.
        Recorder r = new Recorder();
        SwitchboardClient c = client(server.ws(), () -> calls.incrementAndGet() == 2
                ? s.server().clientTokens().issue("refresher", Duration.ofMinutes(-1), null, null)
                : s.server().clientTokens().issue("refresher", Duration.ofSeconds(2), null, null), r, 100);
        await(c.connect());
        await(c.join("fresh"));
        assertEquals(1, await(c.send("fresh", "before")).seq());

        assertEquals(200, admin(s, "POST", "/api/v1/users/refresher/kick", "{\"reason\":\"test\"}").statusCode());
        Await.until("the client reconnected with a fresh token", WAIT,
                () -> calls.get() >= 3 && c.state() == State.CONNECTED);
        assertTrue(r.sawState(State.RECONNECTING, "4004"), "kicked: " + r.changes());
        assertTrue(r.sawState(State.RECONNECTING, "4002 token_expired"), "refused the stale token: " + r.changes());
        assertEquals(1, r.kicks().size());

        assertEquals(2, await(c.send("fresh", "after")).seq());
        Await.until("both messages delivered", WAIT, () -> r.messages("fresh").size() == 2);
        assertEquals(List.of("before", "after"), r.messages("fresh").stream().map(Message::text).toList());
    }

    @Test
    void aFixedTokenThatExpiredEndsTheClient() throws Exception {
        Restartable server = new Restartable(Map.of());
        TestServer s = server.start();
        String expired = s.server().clientTokens().issue("stale", Duration.ofMinutes(-1), null, null);
        Recorder r = new Recorder();
        SwitchboardClient c = SwitchboardClient.builder(server.ws()).token(expired).listener(r).build();
        clients.add(c);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(c.connect()));
        ClientClosedException closed = assertInstanceOf(ClientClosedException.class, e.getCause());
        assertEquals(4002, closed.closeCode());
        assertEquals(State.CLOSED, c.state());
        assertTrue(c.send("any", "text").toCompletableFuture().isCompletedExceptionally(), "a closed client takes no sends");
    }

    @Test
    void aBanEndsTheClientAndFailsWhatIsPending() throws Exception {
        Restartable server = new Restartable(Map.of());
        TestServer s = server.start();
        Recorder r = new Recorder();
        SwitchboardClient c = client(server.ws(), () -> server.token("mallory"), r, 100);
        await(c.connect());
        await(c.join("banned-room"));
        assertEquals(201, admin(s, "POST", "/api/v1/bans", "{\"user\":\"mallory\",\"reason\":\"spam\"}").statusCode());
        Await.until("the client stopped", WAIT, () -> c.state() == State.CLOSED);
        assertTrue(r.sawState(State.CLOSED, "4003"), r.changes().toString());
        assertEquals("spam", r.kicks().get(0).reason());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(c.send("banned-room", "let me back")));
        assertInstanceOf(ClientClosedException.class, e.getCause());
    }

    @Test
    void whileDisconnectedTheOutboxHoldsUpToItsLimitAndDeliversThemAfterwards() throws Exception {
        Restartable server = new Restartable(Map.of());
        server.start();
        Recorder r = new Recorder();
        SwitchboardClient c = client(server.ws(), () -> server.token("patient"), r, 3);
        await(c.connect());
        await(c.join("outbox"));
        server.stop();
        Await.until("the client noticed", WAIT, () -> c.state() != State.CONNECTED);

        List<CompletableFuture<Ack>> queued = new ArrayList<>();
        for (int i = 1; i <= 3; i++) queued.add(c.send("outbox", "queued " + i).toCompletableFuture());
        CompletableFuture<Ack> overflow = c.send("outbox", "one too many").toCompletableFuture();
        assertTrue(overflow.isCompletedExceptionally(), "refused at once");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, overflow::get);
        OutboxFullException full = assertInstanceOf(OutboxFullException.class, e.getCause());
        assertEquals(3, full.limit());
        assertEquals("outbox_full", full.code());
        assertTrue(c.history("outbox", null, 10).toCompletableFuture().isCompletedExceptionally(), "history counts too");
        assertEquals(3, c.pending());

        server.start();
        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<Ack> a : queued) seqs.add(await(a).seq());
        assertEquals(List.of(1L, 2L, 3L), seqs, "sent in order once connected");
        assertEquals(0, c.pending());
        assertEquals(4, await(c.send("outbox", "room again")).seq());
        Await.until("all four delivered", WAIT, () -> r.messages("outbox").size() == 4);
        assertEquals(List.of("queued 1", "queued 2", "queued 3", "room again"),
                r.messages("outbox").stream().map(Message::text).toList());
    }

    @Test
    void aClientThatWasAwayCatchesUpThroughHistoryBeyondTheReplayLimit() throws Exception {
        Restartable server = new Restartable(Map.of("history.replay.max", "5", "history.page.max", "7",
                "limits.rate", "1000", "limits.burst", "1000"));
        server.start();
        Recorder writerLog = new Recorder();
        SwitchboardClient writer = client(server.ws(), () -> server.token("writer"), writerLog, 1000);
        await(writer.connect());
        await(writer.join("catchup"));
        await(writer.send("catchup", "first"));

        // The reader resumes from seq 1 after 30 more messages: 5 are replayed, 25 come from paging history.
        List<CompletionStage<Ack>> acks = new ArrayList<>();
        for (int i = 2; i <= 31; i++) acks.add(writer.send("catchup", "m" + i));
        for (CompletionStage<Ack> a : acks) await(a);
        Recorder r = new Recorder();
        SwitchboardClient reader = client(server.ws(), () -> server.token("reader"), r, 100);
        await(reader.connect());
        Joined joined = await(reader.join("catchup", 1L));
        assertTrue(joined.hasMore(), "the replay alone does not cover the gap: " + joined);
        await(writer.send("catchup", "live"));

        Await.until("reader caught up", WAIT, () -> r.messages("catchup").size() >= 31);
        List<Message> seen = r.messages("catchup");
        assertEquals(LongStream.rangeClosed(2, 32).boxed().toList(), seen.stream().map(Message::seq).toList());
        assertEquals("live", seen.get(seen.size() - 1).text());
        assertEquals(Set.of(), new HashSet<>(r.errors()));
    }

    @Test
    void directMessagesArriveOnceIncludingThoseSentWhileOffline() throws Exception {
        Restartable server = new Restartable(Map.of());
        server.start();
        Recorder aliceLog = new Recorder();
        SwitchboardClient alice = client(server.ws(), () -> server.token("alice"), aliceLog, 100);
        await(alice.connect());
        Ack first = await(alice.dm("bob", "are you there?"));
        assertEquals("bob", first.to());
        assertEquals(1, first.seq(), "the ack's seq is the sender's own stream position");
        Recorder bobLog = new Recorder();
        SwitchboardClient bob = client(server.ws(), () -> server.token("bob"), bobLog, 100);
        Welcome w = await(bob.connect());
        assertEquals(1, w.dms().seq(), "the DM sent while bob was offline is in his stream");
        assertTrue(bobLog.directs().isEmpty(), "a fresh client gets live DMs only; it pages older ones");
        DirectHistory older = await(bob.dmHistory(null, null));
        assertEquals(List.of("are you there?"), older.messages().stream().map(DirectMessage::text).toList());
        assertFalse(older.hasMore());
        await(alice.dm("bob", "there you are"));
        Await.until("bob got the live one", WAIT, () -> bobLog.directs().size() == 1);
        assertEquals(2, bobLog.directs().get(0).seq());
        assertTrue(bobLog.errors().isEmpty(), bobLog.errors().toString());
        Await.until("alice saw her echoes", WAIT, () -> aliceLog.directs().size() == 2);
        assertEquals(List.of(1L, 2L), aliceLog.directs().stream().map(DirectMessage::seq).toList());
        assertFalse(aliceLog.directs().stream().anyMatch(d -> !d.from().equals("alice")));
    }

    @Test
    void directMessagesMissedWhileDisconnectedArriveOnceInStreamOrderThoughAnotherConnectionGotThemLive() throws Exception {
        Restartable server = new Restartable(Map.of());
        TestServer s = server.start();
        Recorder aliceLog = new Recorder();
        SwitchboardClient alice = client(server.ws(), () -> server.token("alice"), aliceLog, 100);
        await(alice.connect());
        Recorder phoneLog = new Recorder();
        SwitchboardClient phone = client(server.ws(), () -> server.token("bob"), phoneLog, 100);
        await(phone.connect());
        // The laptop's token supplier waits while the laptop is "away", so it stays disconnected until released.
        AtomicReference<CompletableFuture<Void>> away = new AtomicReference<>(CompletableFuture.completedFuture(null));
        Recorder laptopLog = new Recorder();
        SwitchboardClient laptop = client(server.ws(), () -> {
            away.get().join();
            return server.token("bob");
        }, laptopLog, 100);
        Welcome w = await(laptop.connect());
        assertEquals(0, w.dms().seq());
        String epoch = w.dms().epoch();
        assertTrue(epoch != null && !epoch.isEmpty(), "welcome names the DM stream's epoch");
        await(alice.dm("bob", "text 1"));
        Await.until("the laptop got the first", WAIT, () -> laptopLog.directs().size() == 1);

        CompletableFuture<Void> gate = new CompletableFuture<>();
        away.set(gate);
        try {
            assertEquals(200, admin(s, "DELETE", "/api/v1/connections/" + w.connectionId(), null).statusCode());
            Await.until("the laptop is away", WAIT, () -> laptop.state() != State.CONNECTED);
            for (int i = 2; i <= 4; i++) await(alice.dm("bob", "text " + i));
            Await.until("the phone got them live", WAIT, () -> phoneLog.directs().size() == 4);
        } finally {
            gate.complete(null);
        }
        Await.until("the laptop caught up", WAIT, () -> laptopLog.directs().size() >= 4);
        await(alice.dm("bob", "text 5"));
        Await.until("the live one after", WAIT, () -> laptopLog.directs().size() >= 5);
        List<Long> all = LongStream.rangeClosed(1, 5).boxed().toList();
        assertEquals(all, laptopLog.directs().stream().map(DirectMessage::seq).toList(), "bob's stream, once each, in order");
        assertEquals(List.of("text 1", "text 2", "text 3", "text 4", "text 5"),
                laptopLog.directs().stream().map(DirectMessage::text).toList());
        Await.until("the phone got all", WAIT, () -> phoneLog.directs().size() == 5);
        assertEquals(all, phoneLog.directs().stream().map(DirectMessage::seq).toList());
        assertTrue(laptopLog.errors().isEmpty() && laptopLog.resets().isEmpty(), laptopLog.errors() + " " + laptopLog.resets());

        DirectHistory page = await(laptop.dmHistory(null, 2));
        assertEquals(List.of(4L, 5L), page.messages().stream().map(DirectMessage::seq).toList());
        assertTrue(page.hasMore());

        // A later run that stored its position resumes the stream from it.
        Recorder laterLog = new Recorder();
        SwitchboardClient later = SwitchboardClient.builder(server.ws()).tokenSupplier(() -> server.token("bob"))
                .dmResume(new Position(2, epoch)).listener(laterLog).build();
        clients.add(later);
        await(later.connect());
        Await.until("the resumed run got 3 to 5", WAIT, () -> laterLog.directs().size() >= 3);
        assertEquals(List.of(3L, 4L, 5L), laterLog.directs().stream().map(DirectMessage::seq).toList());
    }

    @Test
    void anIdReusedForOtherContentFailsWithIdConflictAndIsNeitherStoredNorRetried() throws Exception {
        Restartable server = new Restartable(Map.of());
        TestServer s = server.start();
        Recorder r = new Recorder();
        SwitchboardClient c = client(server.ws(), () -> server.token("ida"), r, 100);
        await(c.connect());
        await(c.join("ids"));
        await(c.join("ids-other"));
        Ack first = await(c.send("ids", "one", "ida-1"));
        Ack again = await(c.send("ids", "one", "ida-1"));
        assertTrue(again.duplicate(), "the same content again is a retry");
        assertEquals(first.seq(), again.seq());
        // One at a time: while one waits for its answer, the client itself refuses another with its id (duplicate_id).
        List<java.util.function.Supplier<CompletionStage<Ack>>> conflicts = List.of(() -> c.send("ids", "two", "ida-1"),
                () -> c.send("ids-other", "one", "ida-1"), () -> c.dm("bob", "one", "ida-1"));
        for (java.util.function.Supplier<CompletionStage<Ack>> conflict : conflicts) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(conflict.get()));
            assertEquals("id_conflict", assertInstanceOf(SwitchboardException.class, e.getCause()).code());
        }
        assertEquals(0, c.pending(), "nothing waits for a retry");
        assertEquals(2, await(c.send("ids", "next")).seq(), "nothing was stored for the conflicts");
        assertEquals(List.of("one", "next"), storedMessages(s, "ids").stream().map(m -> m.get("text").asText()).toList());
        assertEquals(List.of(), storedMessages(s, "ids-other"));
        assertEquals(State.CONNECTED, c.state(), "not counted as violations");
    }

    @Test
    void aStoreRestoredFromABackupResetsTheRoomAndItsNewestMessagesAreDeliveredAgain() throws Exception {
        Restartable server = new Restartable(Map.of());
        server.start();
        Recorder r = new Recorder();
        SwitchboardClient c = client(server.ws(), () -> server.token("rita"), r, 100);
        await(c.connect());
        Joined joined = await(c.join("restored"));
        String epoch = joined.epoch();
        assertTrue(epoch != null && !epoch.isEmpty(), "joined names the room's epoch");
        await(c.send("restored", "one"));
        await(c.send("restored", "two"));
        Await.until("two delivered", WAIT, () -> r.messages("restored").size() == 2);
        server.stop();
        Path backup = Files.createTempDirectory("switchboard-client-backup");
        copyTree(server.dataDir, backup);
        server.start();
        for (String t : List.of("three", "four", "five")) await(c.send("restored", t));
        Await.until("five delivered", WAIT, () -> r.messages("restored").size() == 5);

        server.stop();
        deleteTree(server.dataDir);
        copyTree(backup, server.dataDir);
        server.start();
        Await.until("the reset", WAIT, () -> r.resets().size() == 1);
        Reset reset = r.resets().get(0);
        assertEquals("restored", reset.room());
        assertEquals(new Position(5, epoch), reset.dropped());
        assertEquals(2, reset.current().seq(), "the restored room is 2 long");
        Await.until("the newest delivered again", WAIT, () -> r.messages("restored").size() == 7);
        assertEquals(List.of("one", "two", "three", "four", "five", "one", "two"),
                r.messages("restored").stream().map(Message::text).toList());
        assertEquals(3, await(c.send("restored", "after")).seq());
        Await.until("the next delivered", WAIT, () -> r.messages("restored").size() == 8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }
}
