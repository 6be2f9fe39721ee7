package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.broker.LocalBroker;
import io.switchboard.config.Config;
import io.switchboard.presence.LocalPresence;
import io.switchboard.store.Database;
import io.switchboard.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load shedding ({@code fanout.lag.max}): while the fan-out writers lag, new messages are answered busy and nothing
 * else is refused; once they catch up, the same message (same id) is accepted. The writers are held back by a gate
 * in front of a real pool, which stands for a node whose writer threads get no CPU.
 */
@Timeout(60)
class LoadSheddingTest {
    private static final Duration MAX_LAG = Duration.ofMillis(200);

    @TempDir
    Path dir;
    private Database database;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final GatedExecutor writers = new GatedExecutor(pool);
    private CoreNode node;

    /** Runs tasks on the pool while open; holds them, in order, while closed. */
    static final class GatedExecutor implements Executor {
        private final Executor target;
        private final List<Runnable> held = new ArrayList<>();
        private boolean closed;

        GatedExecutor(Executor target) {
            this.target = target;
        }

        @Override
        public synchronized void execute(Runnable task) {
            if (closed) held.add(task);
            else target.execute(task);
        }

        synchronized void close() {
            closed = true;
        }

        synchronized void open() {
            closed = false;
            held.forEach(target::execute);
            held.clear();
        }
    }

    @BeforeEach
    void start() throws Exception {
        database = Database.open(Config.of(Map.of("db.url", "jdbc:h2:mem:shed-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1")), dir, new MetricRegistry());
        node = new CoreNode(database.dataSource(), new LocalBroker(), new LocalPresence(), writers, MAX_LAG);
    }

    @AfterEach
    void stop() throws Exception {
        writers.open();
        node.close();
        pool.shutdownNow();
        database.close();
    }

    private static String send(String id) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"room\":\"lobby\",\"text\":\"hello\"}";
    }

    private static String dm(String id, String to) {
        return "{\"type\":\"dm\",\"id\":\"" + id + "\",\"to\":\"" + to + "\",\"text\":\"hello\"}";
    }

    private static List<String> errorCodesFor(CoreNode.Client c, String id) {
        return c.ofType("error").stream().filter(e -> id.equals(e.path("id").asText()))
                .map(e -> e.path("code").asText()).toList();
    }

    private static List<JsonNode> acksFor(CoreNode.Client c, String id) {
        return c.ofType("ack").stream().filter(a -> id.equals(a.path("id").asText())).toList();
    }

    @Test
    void messagesAreAnsweredBusyWhileTheWritersLagAndAcceptedOnceTheyCatchUp() {
        CoreNode.Client alice = node.connect("alice");
        CoreNode.Client bob = node.connect("bob");
        alice.join("lobby");
        bob.join("lobby");
        alice.send(send("before"));
        Await.until("the first message is acked", Duration.ofSeconds(10), () -> acksFor(alice, "before").size() == 1);

        writers.close();
        Await.until("the fan-out lag passes the maximum", Duration.ofSeconds(10),
                () -> node.sequencer.fanoutLagMillis() > MAX_LAG.toMillis());
        alice.send(send("during"));
        alice.send(dm("dm-during", "bob"));
        Await.until("both messages are answered", Duration.ofSeconds(10),
                () -> !errorCodesFor(alice, "during").isEmpty() && !errorCodesFor(alice, "dm-during").isEmpty());
        assertEquals(List.of("busy"), errorCodesFor(alice, "during"));
        assertEquals(List.of("busy"), errorCodesFor(alice, "dm-during"));
        assertTrue(acksFor(alice, "during").isEmpty(), "a shed message is not stored");
        assertEquals(2, node.metrics.shed.getCount());
        // Only messages are shed: a join still goes through (its answer is written by the sequencer itself).
        bob.send("{\"type\":\"join\",\"id\":\"j-side\",\"room\":\"side\"}");
        Await.until("bob joins another room meanwhile", Duration.ofSeconds(10),
                () -> bob.ofType("joined").stream().anyMatch(j -> "side".equals(j.path("room").asText())));

        writers.open();
        Await.until("the lag falls below the maximum", Duration.ofSeconds(10),
                () -> node.sequencer.fanoutLagMillis() < MAX_LAG.toMillis());
        alice.send(send("during")); // the client's retry, with the same id
        Await.until("the retry is acked", Duration.ofSeconds(10), () -> acksFor(alice, "during").size() == 1);
        Await.until("bob receives it", Duration.ofSeconds(10),
                () -> bob.ofType("message").stream().anyMatch(m -> "during".equals(m.path("id").asText())));
        assertEquals(2, node.metrics.shed.getCount(), "nothing more was shed once the writers caught up");
    }

    @Test
    void withTheMaximumAtZeroNothingIsShed() throws Exception {
        node.close();
        node = new CoreNode(database.dataSource(), new LocalBroker(), new LocalPresence(), writers, Duration.ZERO);
        CoreNode.Client alice = node.connect("alice");
        alice.join("lobby");
        writers.close();
        Await.until("the fan-out lag passes 200 ms", Duration.ofSeconds(10),
                () -> node.sequencer.fanoutLagMillis() > MAX_LAG.toMillis());
        alice.send(send("m1"));
        Await.until("the message is acked although the writers lag", Duration.ofSeconds(10),
                () -> acksFor(alice, "m1").size() == 1);
        assertEquals(0, node.metrics.shed.getCount());
    }
}
