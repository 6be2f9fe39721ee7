package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code WRITE_DELAY=0} every commit writes its own MVStore chunk, and without compaction the embedded H2
 * file grows by about 2 KB per message while the server runs. A real server takes a steady stream of small
 * messages from pipelining WebSocket clients over loopback; the file, sampled every {@value #SAMPLE_EVERY} acks,
 * must stay below {@link #BOUND} with compaction every second, and the same traffic with the default (compaction
 * off) must outgrow it, so the bound tells the two apart. Each run logs its file size and messages/s. Compaction is
 * experimental and off by default: with it on, {@code CrashDurabilityTest} once lost acked messages.
 */
@Timeout(180)
class H2CompactionTest {
    private static final Logger log = LoggerFactory.getLogger(H2CompactionTest.class);
    private static final int CLIENTS = 4;
    private static final int PER_CLIENT = 1_500;
    /**
     * Sends each client keeps in flight. Small, as in a chat at an ordinary pace: most commits hold one to a few
     * messages, and each commit writes a chunk of several KB whatever it holds.
     */
    private static final int WINDOW = 2;
    private static final int SAMPLE_EVERY = 250;
    /**
     * For 6,000 messages: about four times what compaction keeps (3-4 MB measured), half of what the file grows to
     * without it (30-35 MB measured).
     */
    private static final long BOUND = 16L << 20;
    private static final String TEXT = "a small chat message of about one hundred bytes, like most of them are: "
            + "hello, how is it going?";

    @TempDir
    Path dataDir;

    @Test
    void theH2FileStaysSmallUnderSteadyTrafficWithCompaction() throws Exception {
        Run run = traffic(Map.of("db.h2.compact.interval", "1s"));
        assertTrue(run.maxBytes < BOUND, "with compaction the H2 file reached " + mb(run.maxBytes) + " MB for "
                + run.messages + " messages (bound " + mb(BOUND) + " MB)");
    }

    @Test
    void withoutCompactionTheSameTrafficOutgrowsTheBound() throws Exception {
        Run run = traffic(Map.of()); // off by default
        assertTrue(run.maxBytes > BOUND, "without compaction the H2 file reached only " + mb(run.maxBytes) + " MB for "
                + run.messages + " messages: the bound (" + mb(BOUND) + " MB) no longer shows what compaction does");
    }

    private record Run(int messages, long maxBytes, long endBytes, double perSecond) {}

    private Run traffic(Map<String, String> overrides) throws Exception {
        // Freed space reused at once, so that a run of a few seconds shows what the default reaches after 45 s.
        Map<String, String> settings = new HashMap<>(Map.of("limits.rate", "100000", "limits.burst", "100000",
                "db.h2.retention", "0"));
        settings.putAll(overrides);
        Path file = dataDir.resolve("switchboard.mv.db");
        AtomicInteger acks = new AtomicInteger();
        AtomicLong maxBytes = new AtomicLong();
        try (TestServer server = TestServer.start(dataDir, settings)) {
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                WsClient ws = WsClient.connected(server.ws(server.token("u" + i)));
                ws.join("room-" + i); // one room each: the database is under test, not the fan-out
                senders.add(new Sender(ws, "room-" + i, acks, maxBytes, file));
            }
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (Sender s : senders) {
                Thread t = new Thread(s, "sender-" + s.room);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Sender s : senders) {
                s.ws.close();
                if (s.failure != null) throw new AssertionError(s.room + ": " + s.failure);
            }
            long end = size(file);
            maxBytes.accumulateAndGet(end, Math::max);
            Run run = new Run(acks.get(), maxBytes.get(), end, acks.get() / seconds);
            assertEquals(CLIENTS * PER_CLIENT, run.messages, "every message acked");
            log.info("{}: {} messages in {} s ({} msg/s); H2 file at most {} MB, {} MB at the end ({} bytes per message)",
                    overrides.isEmpty() ? "defaults (compaction off)" : overrides, run.messages,
                    String.format("%.1f", seconds), Math.round(run.perSecond), mb(run.maxBytes), mb(run.endBytes),
                    run.maxBytes / run.messages);
            return run;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    /** One client: keeps {@link #WINDOW} sends in flight until it has {@link #PER_CLIENT} acks. */
    private static final class Sender implements Runnable {
        final WsClient ws;
        final String room;
        final AtomicInteger acks;
        final AtomicLong maxBytes;
        final Path file;
        volatile String failure;

        Sender(WsClient ws, String room, AtomicInteger acks, AtomicLong maxBytes, Path file) {
            this.ws = ws;
            this.room = room;
            this.acks = acks;
            this.maxBytes = maxBytes;
            this.file = file;
        }

        @Override
        public void run() {
            int sent = 0;
            int acked = 0;
            try {
                while (acked < PER_CLIENT) {
                    if (sent < PER_CLIENT && sent - acked < WINDOW) {
                        ws.send("type", "send", "room", room, "id", room + "-" + (++sent), "text", TEXT);
                        continue;
                    }
                    JsonNode f = ws.next(Duration.ofSeconds(30));
                    if (f == null) {
                        failure = "no frame for 30 s after " + acked + " acks";
                        return;
                    }
                    switch (f.path("type").asText()) {
                        case "ack" -> {
                            acked++;
                            if (acks.incrementAndGet() % SAMPLE_EVERY == 0) maxBytes.accumulateAndGet(size(file), Math::max);
                        }
                        case "error" -> {
                            failure = "error " + f;
                            return;
                        }
                        default -> { } // the room's own message frames
                    }
                }
            } catch (RuntimeException e) {
                failure = e.toString();
            }
        }
    }
}
