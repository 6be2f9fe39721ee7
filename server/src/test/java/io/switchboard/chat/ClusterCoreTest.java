package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.broker.Publication;
import io.switchboard.config.Config;
import io.switchboard.store.Database;
import io.switchboard.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's delivery rules on the core alone: two nodes share one store and talk through in-memory brokers that
 * a test can make lose or reorder publications. (The same rules on real Redis and PostgreSQL processes are in the
 * cluster tests.)
 */
class ClusterCoreTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Database database;
    private LinkedBrokers brokers;
    private CoreNode a;
    private CoreNode b;

    @BeforeEach
    void twoNodes() throws Exception {
        database = Database.open(Config.of(Map.of("db.url", "jdbc:h2:mem:core-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1;DEFAULT_LOCK_TIMEOUT=10000")), dir, new MetricRegistry());
        brokers = new LinkedBrokers();
        SharedPresence presence = new SharedPresence();
        a = new CoreNode(database.dataSource(), brokers.newBroker(), presence.newNode());
        b = new CoreNode(database.dataSource(), brokers.newBroker(), presence.newNode());
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        database.close();
    }

    private static String send(String room, String id, String text) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"room\":\"" + room + "\",\"text\":\"" + text + "\"}";
    }

    private static List<Long> oneTo(int n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    void membersOnBothNodesSeeOneGapFreeOrderWhicheverNodeTheSendersUse() {
        CoreNode.Client onA = a.connect("ann");
        CoreNode.Client onB = b.connect("bob");
        onA.join("lobby");
        onB.join("lobby");
        for (int i = 0; i < 30; i++) { // within the default burst of 40 frames
            onA.send(send("lobby", "a" + i, "from a " + i));
            onB.send(send("lobby", "b" + i, "from b " + i));
        }
        Await.until("both members get 60 messages", WAIT, () -> onA.seqs("lobby").size() >= 60 && onB.seqs("lobby").size() >= 60);
        assertEquals(oneTo(60), onA.seqs("lobby"));
        assertEquals(oneTo(60), onB.seqs("lobby"));
        assertEquals(texts(onA), texts(onB), "the same message at every seq on both nodes");
        assertEquals(30, onA.ofType("ack").size());
        assertEquals(30, onB.ofType("ack").size());
        assertEquals(List.of(), onA.ofType("error"));
    }

    private static List<String> texts(CoreNode.Client c) {
        return c.ofType("message").stream().map(m -> m.path("seq").asLong() + ":" + m.path("text").asText()).toList();
    }

    @Test
    void aLostPublicationIsFilledFromTheStoreBeforeTheNextMessageIsDelivered() {
        CoreNode.Client onA = a.connect("ann");
        CoreNode.Client onB = b.connect("bob");
        onA.join("lobby");
        onB.join("lobby");
        brokers.drop(p -> p instanceof Publication.RoomMessage m && m.message().seq() <= 3);
        for (int i = 1; i <= 3; i++) onA.send(send("lobby", "lost" + i, "lost " + i));
        Await.until("the sender's acks", WAIT, () -> onA.ofType("ack").size() == 3);
        brokers.drop(p -> false);
        onA.send(send("lobby", "after", "after the outage"));
        Await.until("bob gets all four", WAIT, () -> onB.seqs("lobby").size() >= 4);
        assertEquals(oneTo(4), onB.seqs("lobby"), "the three lost ones first, from the store, then the fourth, once each");
        assertEquals(1, b.metrics.gapsFilled.getCount(), "one gap, filled from the store once the wait ran out");
    }

    @Test
    void publicationsArrivingNewestFirstAreDeliveredInSeqOrderOnceEach() {
        CoreNode.Client onA = a.connect("ann");
        CoreNode.Client onB = b.connect("bob");
        onA.join("lobby");
        onB.join("lobby");
        brokers.hold();
        for (int i = 1; i <= 10; i++) onA.send(send("lobby", "m" + i, "m " + i));
        Await.until("the sender's acks", WAIT, () -> onA.ofType("ack").size() == 10);
        brokers.release();
        Await.until("bob gets ten", WAIT, () -> onB.seqs("lobby").size() >= 10);
        assertEquals(oneTo(10), onB.seqs("lobby"));
        assertEquals(0, b.metrics.gapsFilled.getCount(), "early messages were held for the late ones, not read from the store");
    }

    @Test
    void theLastLostPublicationIsFoundByThePositionCheck() {
        CoreNode.Client onA = a.connect("ann");
        CoreNode.Client onB = b.connect("bob");
        onA.join("lobby");
        onB.join("lobby");
        brokers.drop(p -> true);
        onA.send(send("lobby", "quiet", "nothing follows this one"));
        Await.until("the ack", WAIT, () -> onA.ofType("ack").size() == 1);
        assertEquals(List.of(), onB.seqs("lobby"), "lost on the way, and nothing after it to reveal the gap");
        b.sequencer.submitInternal(new Command.Positions(Map.of("lobby", 1L), Map.of()));
        Await.until("bob gets it from the store", WAIT, () -> onB.seqs("lobby").size() == 1);
        assertEquals("nothing follows this one", onB.ofType("message").get(0).path("text").asText());
    }

    @Test
    void directMessagesReachEveryDeviceOnEveryNodeInStreamOrder() {
        CoreNode.Client phone = a.connect("dana");
        CoreNode.Client laptop = b.connect("dana");
        CoreNode.Client sender = b.connect("eve");
        for (int i = 1; i <= 5; i++) {
            sender.send("{\"type\":\"dm\",\"id\":\"d" + i + "\",\"to\":\"dana\",\"text\":\"hi " + i + "\"}");
        }
        Await.until("both devices get five", WAIT, () -> phone.ofType("dm").size() >= 5 && laptop.ofType("dm").size() >= 5);
        assertEquals(oneTo(5), phone.ofType("dm").stream().map(m -> m.path("seq").asLong()).toList());
        assertEquals(oneTo(5), laptop.ofType("dm").stream().map(m -> m.path("seq").asLong()).toList());
    }

    @Test
    void aLostDirectMessageIsFilledFromTheStore() {
        CoreNode.Client phone = a.connect("dana");
        CoreNode.Client sender = b.connect("eve");
        brokers.drop(p -> p instanceof Publication.DirectEntry d && d.message().seq() == 1);
        sender.send("{\"type\":\"dm\",\"id\":\"d1\",\"to\":\"dana\",\"text\":\"lost\"}");
        Await.until("ack", WAIT, () -> sender.ofType("ack").size() == 1);
        brokers.drop(p -> false);
        sender.send("{\"type\":\"dm\",\"id\":\"d2\",\"to\":\"dana\",\"text\":\"arrives\"}");
        Await.until("the phone gets both", WAIT, () -> phone.ofType("dm").size() >= 2);
        assertEquals(List.of("lost", "arrives"), phone.ofType("dm").stream().map(m -> m.path("text").asText()).toList());
    }

    @Test
    void presenceIsOncePerUserAcrossNodes() {
        CoreNode.Client watcher = a.connect("wes");
        watcher.join("lobby");
        CoreNode.Client first = a.connect("fay");
        CoreNode.Client second = b.connect("fay");
        first.join("lobby");
        Await.until("wes sees fay come online", WAIT, () -> presence(watcher).size() == 1);
        second.join("lobby");
        first.leave("lobby");
        Await.until("fay's first device left", WAIT, () -> !first.ofType("left").isEmpty());
        second.leave("lobby");
        Await.until("wes sees fay go offline", WAIT, () -> presence(watcher).size() == 2);
        // A barrier: a message sent after everything above reaches wes after any presence those steps caused.
        CoreNode.Client other = b.connect("gus");
        other.join("lobby");
        Await.until("gus comes online", WAIT, () -> presence(watcher).size() == 3);
        assertEquals(List.of("fay:join", "fay:leave", "gus:join"), presence(watcher));
    }

    private static List<String> presence(CoreNode.Client c) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : c.ofType("presence")) out.add(p.path("user").asText() + ":" + p.path("event").asText());
        return out;
    }

    @Test
    void theJoinedFrameListsUsersOnlineThroughOtherNodes() {
        CoreNode.Client there = b.connect("hal");
        there.join("lobby");
        CoreNode.Client here = a.connect("ivy");
        here.join("lobby");
        Await.until("ivy hears that hal is online", WAIT, () -> presence(here).contains("hal:join"));
        assertEquals(Set.of("hal", "ivy"), Set.copyOf(a.hub.room("lobby").onlineUsers()));
        CoreNode.Client later = a.connect("jo");
        later.join("lobby");
        List<String> listed = new ArrayList<>();
        later.ofType("joined").get(0).path("members").forEach(m -> listed.add(m.asText()));
        assertEquals(Set.of("hal", "ivy", "jo"), Set.copyOf(listed), "a later joiner gets the whole list at once");
    }

    @Test
    void aUserLearnedOfTwiceIsAnnouncedOnce() {
        CoreNode.Client vic = b.connect("vic");
        vic.join("lobby");
        // B hears of uma twice, in the worst order: first from the presence snapshot taken when the room loaded,
        // then from the node where she joined (the publication that raced the snapshot).
        b.sequencer.submitInternal(new Command.OnlineElsewhere("lobby", Set.of("uma")));
        b.sequencer.submitInternal(new Command.Remote(new Publication.RoomPresence("lobby", "uma", true)));
        b.sequencer.submitInternal(new Command.Remote(new Publication.RoomPresence("lobby", "uma", false)));
        b.sequencer.submitInternal(new Command.Remote(new Publication.RoomPresence("lobby", "uma", false)));
        // A barrier: the sequencer handles commands in order, so wil's join is heard after all of the above.
        b.sequencer.submitInternal(new Command.Remote(new Publication.RoomPresence("lobby", "wil", true)));
        Await.until("vic hears wil", WAIT, () -> presence(vic).contains("wil:join"));
        assertEquals(List.of("uma:join", "uma:leave", "wil:join"), presence(vic));
    }
}
