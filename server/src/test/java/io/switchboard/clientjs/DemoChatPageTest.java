package io.switchboard.clientjs;

import io.switchboard.testing.Browser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.logging.LogType;

/**
 * The demo chat page in a real browser against a real server that is stopped and started again on the same port:
 * live chat with another client, resume after a restart with every missed message shown once in seq order, and a
 * message typed during an outage delivered once afterwards.
 */
@Timeout(180)
class DemoChatPageTest {
    /** Small, so that a resume needs more than the replay and pages back with history. */
    static final int REPLAY_MAX = 3;
    private static final AtomicInteger IDS = new AtomicInteger();

    static SamePortServer server;
    static Browser browser;
    ChatPage page;
    final List<WsClient> clients = new ArrayList<>();
    boolean networkChanged;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        server = SamePortServer.start(Map.of("demo", "true", "history.replay.max", String.valueOf(REPLAY_MAX)));
        browser = Browser.open(server.current());
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void openPage() {
        page = new ChatPage(browser.driver, server.port);
    }

    @AfterEach
    void cleanUp() {
        clients.forEach(WsClient::close);
        if (networkChanged) online();
        server.up(); // a failed test may leave it down
        browser.driver.get("about:blank");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    /** A WebSocket client of another user, joined to the room (with since, to resume). */
    WsClient member(String user, String room, Long since) {
        TestServer s = server.current();
        WsClient ws = WsClient.connected(s.ws(s.token(user, user.toUpperCase(), null)));
        clients.add(ws);
        String id = "j" + IDS.incrementAndGet();
        if (since == null) ws.send("type", "join", "room", room, "id", id);
        else ws.send("type", "join", "room", room, "id", id, "since", since);
        ws.await(f -> "joined".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "joined " + room);
        return ws;
    }

    /** Sends and waits for the ack: the message is stored. Returns its seq. */
    static long say(WsClient ws, String room, String text) {
        String id = "m" + IDS.incrementAndGet();
        ws.send("type", "send", "room", room, "id", id, "text", text);
        return ws.await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "ack of " + id)
                .path("seq").asLong();
    }

    static JsonNode awaitMessage(WsClient ws, String id) {
        return ws.await(f -> "message".equals(f.path("type").asText()) && id.equals(f.path("id").asText()),
                Duration.ofSeconds(30), "message " + id);
    }

    /** Chromium's own offline switch: navigator.onLine turns false and the page gets an 'offline' event. */
    void offline() {
        ChromiumNetworkConditions c = new ChromiumNetworkConditions();
        c.setOffline(true);
        browser.driver.setNetworkConditions(c);
        networkChanged = true;
    }

    void online() {
        browser.driver.setNetworkConditions(new ChromiumNetworkConditions());
        networkChanged = false;
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // --- tests --------------------------------------------------------------------------------------------------

    @Test
    void nothingIsPrefilledSoATypedNameIsJustThatNameAndEmptyFieldsMeanTheirPlaceholders() {
        page.open();
        org.openqa.selenium.WebElement name = browser.driver.findElement(By.id("name"));
        org.openqa.selenium.WebElement room = browser.driver.findElement(By.id("room"));
        assertEquals("", name.getDomProperty("value"), "the name field starts empty");
        assertEquals("", room.getDomProperty("value"), "the room field starts empty");
        String guest = name.getDomProperty("placeholder");
        assertTrue(guest.matches("guest-\\d{4}"), "a guest name as the placeholder: " + guest);
        assertEquals("lobby", room.getDomProperty("placeholder"));

        name.click();
        name.sendKeys("Alice");
        assertEquals("Alice", name.getDomProperty("value"), "typing replaces nothing and appends to nothing");
        browser.driver.findElement(By.id("join")).click();
        page.awaitStatus("connected");
        page.until("Alice in the lobby", d -> page.members().contains("Alice"));
        assertEquals("# lobby", browser.driver.findElement(By.id("room-title")).getText());

        page.open();
        browser.driver.findElement(By.id("room")).sendKeys("guests");
        String other = browser.driver.findElement(By.id("name")).getDomProperty("placeholder");
        browser.driver.findElement(By.id("join")).click();
        page.awaitStatus("connected");
        page.until("the guest name from the placeholder", d -> page.members().contains(other));
        assertEquals("# guests", browser.driver.findElement(By.id("room-title")).getText());
    }

    @Test
    void thePageShowsHistoryPresenceAndLiveMessagesAndSendsItsOwn() {
        String room = "demo-live";
        WsClient bob = member("bob", room, null);
        long before = say(bob, room, "<b>said before you came</b>");

        page.open();
        page.join("alice", room);
        page.until("the history on join", d -> page.seqs().contains(before));
        assertEquals("<b>said before you came</b>", page.textOf(before), "markup in a message is shown as text");
        page.until("bob among the members", d -> page.members().contains("bob"));
        bob.await(f -> "presence".equals(f.path("type").asText()) && "alice".equals(f.path("user").asText()), "alice's presence");

        long live = say(bob, room, "live from bob");
        page.until("bob's live message", d -> page.seqs().contains(live));
        assertEquals("live from bob", page.textOf(live));

        String id = page.send("hello bob");
        JsonNode got = awaitMessage(bob, id);
        assertEquals("alice", got.path("from").asText());
        assertEquals("hello bob", got.path("text").asText());
        page.until("the page to show its message acked", d -> "acked".equals(page.stateOf(id)));
        assertEquals(got.path("seq").asLong(), page.seqOf(id));
        assertEquals(1, page.rows(id).size(), "the ack and the echo of one message make one row");
        assertEquals(range(before, got.path("seq").asLong()), page.seqs());

        bob.close();
        page.until("bob to leave the members", d -> !page.members().contains("bob"));
        assertTrue(browser.driver.findElements(By.cssSelector("#messages b")).isEmpty(), "no element made from message text");
        List<String> csp = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(e -> e.getMessage())
                .filter(m -> m.contains("Content Security Policy") || m.contains("Uncaught"))
                .toList();
        assertEquals(List.of(), csp, "no CSP violations or script errors");
    }

    @Test
    void afterARestartThePageResumesAndShowsEveryMessageOnceInSeqOrder() {
        String room = "demo-restart";
        WsClient bob = member("bob", room, null);
        for (int i = 1; i <= 3; i++) say(bob, room, "before " + i);
        page.open();
        page.join("carol", room);
        page.until("the history", d -> page.seqs().equals(range(1, 3)));

        server.down();
        page.awaitStatus("reconnecting");
        // Keep the page from reconnecting until the messages below are in: with its network off it waits.
        offline();
        page.awaitStatus("offline");
        server.up();
        WsClient dan = member("dan", room, 3L);
        for (int i = 1; i <= 8; i++) say(dan, room, "during the outage " + i); // more than the replay: paged back
        online();

        page.awaitStatus("connected");
        page.until("every missed message", d -> page.lastSeq() >= 11);
        long after = say(dan, room, "after the resume");
        page.until("the next live message", d -> page.seqs().contains(after));
        assertEquals(range(1, 12), page.seqs(), "each seq once, in order, without gaps");
        assertEquals("during the outage 1", page.textOf(4));
        assertEquals("after the resume", page.textOf(12));
    }

    @Test
    void whenTheServerIsRestoredFromABackupThePageDropsWhatTheRoomNoLongerHasAndShowsItsNewestAgain() {
        String room = "demo-restored";
        WsClient bob = member("bob", room, null);
        for (int i = 1; i <= 2; i++) say(bob, room, "kept " + i);
        page.open();
        page.join("fay", room);
        page.until("the history", d -> page.seqs().equals(range(1, 2)));
        String mine = page.send("mine, kept");
        page.until("mine acked", d -> "acked".equals(page.stateOf(mine)));

        server.down();
        java.nio.file.Path backup = server.backup(); // the room holds 3 messages here
        server.up();
        WsClient bob2 = member("bob", room, 3L);
        for (int i = 4; i <= 6; i++) say(bob2, room, "lost " + i);
        page.until("the messages after the backup", d -> page.lastSeq() >= 6);

        server.down();
        server.restore(backup);
        server.up();
        page.awaitStatus("connected");
        page.until("only what the restored room has", d -> page.seqs().equals(range(1, 3)));
        WsClient bob3 = member("bob", room, null);
        long next = say(bob3, room, "after the restore");
        assertEquals(4, next, "the restored room goes on from its own last seq");
        page.until("the next live message", d -> page.seqs().equals(range(1, 4)));
        assertEquals(List.of("kept 1", "kept 2", "mine, kept", "after the restore"),
                page.seqs().stream().map(page::textOf).toList(), "nothing of the lost messages is left");
    }

    @Test
    void messagesSentWhileThePageWasAwayBeforeTheStopAreDeliveredOnceAfterTheRestart() {
        String room = "demo-away";
        WsClient bob = member("bob", room, null);
        say(bob, room, "seen");
        page.open();
        page.join("erin", room);
        page.until("the history", d -> page.seqs().equals(range(1, 1)));

        offline();
        page.awaitStatus("offline");
        for (int i = 1; i <= 7; i++) say(bob, room, "missed " + i); // after the page's last seen seq
        String typed = page.send("typed while offline");
        assertEquals("pending", page.stateOf(typed));
        server.down();
        online();
        page.awaitStatus("reconnecting");
        server.up();

        page.awaitStatus("connected");
        page.until("the typed message acked", d -> "acked".equals(page.stateOf(typed)));
        page.until("every message", d -> page.lastSeq() >= 9);
        assertEquals(range(1, 9), page.seqs());
        assertEquals(9, page.seqOf(typed), "sent after the missed ones, on the new connection");
        assertEquals(1, page.rows(typed).size());
    }

    @Test
    void aMessageTypedWhileTheServerIsDownIsDeliveredOnceAfterItComesBackAndShownAcked() {
        String room = "demo-outage";
        WsClient bob = member("bob", room, null);
        say(bob, room, "before");
        page.open();
        page.join("dave", room);
        page.until("the history", d -> page.seqs().equals(range(1, 1)));

        server.down();
        page.awaitStatus("reconnecting");
        String id = page.send("typed during the outage");
        assertEquals("pending", page.stateOf(id));
        assertTrue(page.rows(id).get(0).getText().contains("sending"), "the row says it is pending");
        server.up();

        WsClient bob2 = member("bob", room, 1L);
        JsonNode got = awaitMessage(bob2, id);
        assertEquals("typed during the outage", got.path("text").asText());
        page.until("the page to show it acked", d -> "acked".equals(page.stateOf(id)));
        assertEquals(got.path("seq").asLong(), page.seqOf(id));

        // A later message arrives after any copy of the first would have: none may be left unconsumed.
        String next = page.send("and one more");
        awaitMessage(bob2, next);
        long copies = bob2.drain(Duration.ZERO).stream()
                .filter(f -> "message".equals(f.path("type").asText()) && id.equals(f.path("id").asText()))
                .count();
        assertEquals(0, copies, "the other client got the message exactly once");
        page.until("the page to show the second acked", d -> "acked".equals(page.stateOf(next)));
        assertEquals(range(1, 3), page.seqs());
        assertEquals(1, page.rows(id).size());
    }
}
