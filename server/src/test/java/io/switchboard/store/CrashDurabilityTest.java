package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardProcess;
import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.Secrets;
import io.switchboard.testing.Await;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.WsClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ack is a promise that the message survives a crash of the server process. A real server JVM takes steady
 * pipelined traffic from several WebSocket clients in one room and is killed with SIGKILL mid-traffic, then
 * restarted on the same data (several rounds). After each restart: every acked id is in the history exactly once
 * under its acked seq, the room's seq did not go backwards, the history is gap-free, a client resuming with
 * {@code join {since}} gets exactly what it missed, and ids that were sent but never acked, retried with the same
 * id, are stored once and never under a seq that was acked for another message. On H2 (default settings) and on
 * PostgreSQL.
 */
@Timeout(300)
class CrashDurabilityTest {
    private static final Logger log = LoggerFactory.getLogger(CrashDurabilityTest.class);
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String ROOM = "crash";
    private static final int CLIENTS = 5;
    /** Sends each client has in flight without an ack: enough that every batch commit acks several messages. */
    private static final int WINDOW = 8;
    private static final int ROUNDS = 3;
    private static final int PAGE = 1000;

    @TempDir
    Path dataDir;

    @Test
    void ackedMessagesSurviveKill9OnH2() throws Exception {
        new Run(dataDir, List.of()).rounds();
    }

    @Test
    void ackedMessagesSurviveKill9OnPostgres() throws Exception {
        try (Postgres pg = Postgres.start()) {
            new Run(dataDir, List.of("--db-url", pg.jdbcUrl(), "--db-user", Postgres.USER)).rounds();
        }
    }

    /** One server's data across kill/restart rounds, and everything the clients were told. */
    private static final class Run {
        private final Path dataDir;
        private final List<String> dbArgs;
        private final String secret = Secrets.random(48);
        private final ClientTokens tokens;
        /** id -> seq of every ack any client received, over all rounds. */
        private final Map<String, Long> acked = new ConcurrentHashMap<>();
        /** Per user: ids sent (with their text) whose ack never came before the kill. */
        private final Map<String, Map<String, String>> unacked = new HashMap<>();
        /** Per user: the highest seq its connection had seen, contiguously, when the server died. */
        private final Map<String, Long> lastSeen = new HashMap<>();
        private long highestSeen;

        Run(Path dataDir, List<String> dbArgs) {
            this.dataDir = dataDir;
            this.dbArgs = dbArgs;
            this.tokens = new ClientTokens(secret, Clock.systemUTC());
        }

        private SwitchboardProcess start() {
            List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--host", "127.0.0.1",
                    "--data-dir", dataDir.toString(), "--limits-rate", "100000", "--limits-burst", "100000",
                    "--history-page-max", String.valueOf(PAGE), "--limits-connections-per-user", "100"));
            args.addAll(dbArgs);
            return SwitchboardProcess.start(Map.of("SWITCHBOARD_JWT_SECRET", secret), args.toArray(String[]::new));
        }

        private static int portOf(SwitchboardProcess p) {
            Matcher m = LISTENING.matcher(p.awaitLine("listening on", START));
            assertTrue(m.find());
            return Integer.parseInt(m.group(1));
        }

        private WsClient connect(int port, String user) {
            String token = tokens.issue(user, Duration.ofMinutes(10), null, null);
            return WsClient.connected(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token));
        }

        void rounds() throws Exception {
            for (int round = 1; round <= ROUNDS + 1; round++) {
                try (SwitchboardProcess server = start()) {
                    int port = portOf(server);
                    if (round > 1) verifyAfterRestart(port, round - 1);
                    if (round > ROUNDS) break; // the last start only checks what the last kill left
                    traffic(server, port, round);
                }
            }
        }

        /** Steady pipelined sends from every client until SIGKILL, 1.5 to 3 s into the traffic. */
        private void traffic(SwitchboardProcess server, int port, int round) throws Exception {
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String user = "u" + i;
                WsClient ws = connect(port, user);
                JsonNode joined = ws.join(ROOM);
                senders.add(new Sender(ws, user, round, joined.get("seq").asLong()));
            }
            List<Thread> threads = new ArrayList<>();
            for (Sender s : senders) {
                Thread t = new Thread(s, "sender-" + s.user);
                t.start();
                threads.add(t);
            }
            int before = acked.size();
            long traffic = ThreadLocalRandom.current().nextLong(1_500, 3_000);
            Await.until("the first acks of round " + round, Duration.ofSeconds(30), () -> acked.size() - before >= 50);
            Thread.sleep(traffic); // not waiting for a condition: the traffic runs for this long, then the crash
            int mark = acked.size(); // ...right after fresh acks, so the newest acked commits are seconds young
            Await.until("acks still flowing in round " + round, Duration.ofSeconds(30), () -> acked.size() >= mark + CLIENTS);
            assertEquals(137, server.kill(WAIT), "SIGKILL (128 + 9)");
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
                assertFalse(t.isAlive(), t.getName() + " did not notice the dead server");
            }
            int sent = 0;
            for (Sender s : senders) {
                s.ws.close();
                if (s.failure != null) throw new AssertionError(s.user + ": " + s.failure);
                unacked.computeIfAbsent(s.user, u -> new HashMap<>()).putAll(s.pending);
                lastSeen.put(s.user, s.lastSeq);
                highestSeen = Math.max(highestSeen, s.lastSeq);
                sent += s.sent;
            }
            log.info("round {}: {} sent, {} acked, {} unacked at the kill ({} ms of traffic)", round, sent,
                    acked.size() - before, unacked.values().stream().mapToInt(Map::size).sum(), traffic);
        }

        private void verifyAfterRestart(int port, int round) {
            long highestAcked = acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
            TreeMap<Long, JsonNode> history;
            long roomSeq;
            try (WsClient auditor = connect(port, "auditor")) {
                roomSeq = auditor.join(ROOM).get("seq").asLong();
                history = history(auditor);
            }
            Map<String, Long> stored = new HashMap<>();
            Set<String> duplicates = new LinkedHashSet<>();
            for (JsonNode m : history.values()) {
                if (stored.put(m.get("id").asText(), m.get("seq").asLong()) != null) duplicates.add(m.get("id").asText());
            }
            int found = 0;
            List<String> missing = new ArrayList<>();
            for (var e : acked.entrySet()) {
                if (e.getValue().equals(stored.get(e.getKey()))) found++;
                else missing.add(e.getKey() + "@" + e.getValue() + (stored.containsKey(e.getKey()) ? " stored@" + stored.get(e.getKey()) : ""));
            }
            log.info("after kill {}: {} acked, {} found under their acked seq, {} missing; room seq {} (highest acked {},"
                    + " highest seen {}); history {} messages", round, acked.size(), found, missing.size(), roomSeq,
                    highestAcked, highestSeen, history.size());
            assertTrue(missing.isEmpty(), "after kill " + round + ": " + acked.size() + " acked, " + found
                    + " found after restart, " + missing.size() + " missing; room seq " + roomSeq + ", highest acked "
                    + highestAcked + "; e.g. " + missing.subList(0, Math.min(10, missing.size())));
            assertTrue(roomSeq >= highestAcked && roomSeq >= highestSeen, "room seq went backwards: " + roomSeq
                    + " after the restart, highest acked " + highestAcked + ", highest seen " + highestSeen);
            assertTrue(duplicates.isEmpty(), "ids stored more than once: " + duplicates);
            assertEquals(roomSeq, history.size(), "history holds seq 1.." + roomSeq + " without gaps");
            if (!history.isEmpty()) assertEquals(1, history.firstKey());
            if (!history.isEmpty()) assertEquals(roomSeq, history.lastKey());

            // Each client resumes where its connection stopped: exactly the messages after that seq, in order.
            for (var e : lastSeen.entrySet()) {
                long since = e.getValue();
                try (WsClient ws = connect(port, e.getKey())) {
                    String id = "resume-" + round;
                    ws.send("type", "join", "room", ROOM, "id", id, "since", since);
                    JsonNode joined = ws.await(f -> "joined".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "joined");
                    assertEquals(roomSeq, joined.get("seq").asLong());
                    assertFalse(joined.path("hasMore").asBoolean(), "replay within history.replay.max");
                    for (long seq = since + 1; seq <= roomSeq; seq++) {
                        JsonNode m = ws.await("message");
                        assertEquals(seq, m.get("seq").asLong(), e.getKey() + " resuming after " + since);
                        assertEquals(history.get(seq).get("id").asText(), m.get("id").asText());
                    }
                    ws.roundTrip();
                    assertTrue(ws.drain(Duration.ZERO).stream().noneMatch(f -> "message".equals(f.path("type").asText())),
                            "no message beyond the room's seq");
                }
            }

            // Ids whose ack was lost with the server are sent again with the same id: stored once, never under a
            // seq that was already acked for another message.
            Map<Long, String> ackedSeqs = new HashMap<>();
            acked.forEach((id, seq) -> ackedSeqs.put(seq, id));
            int retried = 0;
            int wereStored = 0;
            for (var e : unacked.entrySet()) {
                if (e.getValue().isEmpty()) continue;
                try (WsClient ws = connect(port, e.getKey())) {
                    ws.join(ROOM);
                    for (var m : e.getValue().entrySet()) {
                        ws.send("type", "send", "room", ROOM, "id", m.getKey(), "text", m.getValue());
                        JsonNode ack = ws.await(f -> "ack".equals(f.path("type").asText()) && m.getKey().equals(f.path("id").asText()),
                                "ack of retried " + m.getKey());
                        long seq = ack.get("seq").asLong();
                        String other = ackedSeqs.get(seq);
                        assertTrue(other == null || other.equals(m.getKey()), "retried " + m.getKey() + " stored under seq "
                                + seq + ", already acked for " + other);
                        if (ack.path("duplicate").asBoolean()) {
                            wereStored++;
                            assertEquals(stored.get(m.getKey()), seq, "a duplicate's ack names its stored seq");
                        } else {
                            assertNull(stored.get(m.getKey()), m.getKey() + " was stored, yet stored again");
                            assertTrue(seq > roomSeq, "a new message gets a new seq");
                        }
                        acked.put(m.getKey(), seq);
                        ackedSeqs.put(seq, m.getKey());
                        retried++;
                    }
                }
                e.getValue().clear();
            }
            log.info("after kill {}: {} unacked id(s) retried, {} of them had been stored before the kill", round, retried, wereStored);
            if (retried > 0) {
                try (WsClient auditor = connect(port, "auditor")) {
                    long seq = auditor.join(ROOM).get("seq").asLong();
                    TreeMap<Long, JsonNode> after = history(auditor);
                    assertEquals(seq, after.size(), "gap-free after the retries");
                    Set<String> ids = new HashSet<>();
                    for (JsonNode m : after.values()) assertTrue(ids.add(m.get("id").asText()), "stored once: " + m);
                    highestSeen = Math.max(highestSeen, seq);
                }
            }
            lastSeen.clear();
        }

        /** The whole room, paged back from the newest message; keyed by seq (a repeated seq fails). */
        private static TreeMap<Long, JsonNode> history(WsClient ws) {
            TreeMap<Long, JsonNode> all = new TreeMap<>();
            Long before = null;
            for (int page = 0; ; page++) {
                String id = "h" + page;
                if (before == null) ws.send("type", "history", "room", ROOM, "id", id, "limit", PAGE);
                else ws.send("type", "history", "room", ROOM, "id", id, "limit", PAGE, "before", before);
                JsonNode h = ws.await(f -> "history".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "history page");
                for (JsonNode m : h.get("messages")) {
                    assertNull(all.put(m.get("seq").asLong(), m), "seq " + m.get("seq") + " twice in history");
                }
                if (!h.get("hasMore").asBoolean() || h.get("messages").isEmpty()) return all;
                before = h.get("messages").get(0).get("seq").asLong();
            }
        }

        private static void assertNull(Object o, String message) {
            if (o != null) fail(message + " (" + o + ")");
        }

        /** One client: keeps {@link #WINDOW} sends in flight, records acks, and checks the room's stream is gap-free. */
        private final class Sender implements Runnable {
            final WsClient ws;
            final String user;
            final int round;
            final Map<String, String> pending = new HashMap<>();
            long lastSeq;
            int sent;
            volatile String failure;

            Sender(WsClient ws, String user, int round, long joinedSeq) {
                this.ws = ws;
                this.user = user;
                this.round = round;
                this.lastSeq = joinedSeq;
            }

            @Override
            public void run() {
                try {
                    while (true) {
                        if (pending.size() < WINDOW && ws.isOpen()) {
                            String id = user + "-r" + round + "-" + (++sent);
                            String text = "message " + sent + " of " + user + " in round " + round;
                            pending.put(id, text);
                            ws.send("type", "send", "room", ROOM, "id", id, "text", text);
                            continue;
                        }
                        JsonNode f = ws.next(Duration.ofMillis(100));
                        if (f == null) {
                            if (!ws.isOpen()) return; // the server is gone and every frame it sent is handled
                            continue;
                        }
                        switch (f.path("type").asText()) {
                            case "ack" -> {
                                String id = f.get("id").asText();
                                if (pending.remove(id) != null) acked.put(id, f.get("seq").asLong());
                            }
                            case "message" -> {
                                long seq = f.get("seq").asLong();
                                if (seq != lastSeq + 1) {
                                    failure = "message seq " + seq + " after " + lastSeq;
                                    return;
                                }
                                lastSeq = seq;
                            }
                            case "error" -> { // not stored (busy, unavailable): stays pending, retried after the restart
                                if (!Set.of("busy", "unavailable").contains(f.path("code").asText())) {
                                    failure = "error " + f;
                                    return;
                                }
                            }
                            default -> { }
                        }
                    }
                } catch (RuntimeException e) {
                    failure = e.toString();
                }
            }
        }
    }
}
