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
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * /client/switchboard.js itself, in Chromium, against a real server (resume, dedup by id, tokens, outbox bound) and
 * against a scripted socket standing in for the server (retries, rate limits, dead sockets, repeated frames).
 */
@Timeout(120)
class ClientLibraryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Runs the body (which may await and return) with the module as {@code sb}; its result comes back to Java. */
    private static final String ASYNC = """
            const done = arguments[arguments.length - 1];
            const args = Array.prototype.slice.call(arguments, 0, -1);
            (async () => {
              const sb = await import('/client/switchboard.js');
              %s
            })().then(done, (e) => done({ failed: String(e && (e.code || e.message) || e) }));
            """;

    /** Records what a client emits into window.t. */
    private static final String RECORD = """
            window.t = { seqs: [], messages: [], dms: [], dmTexts: [], states: [], errors: [], overflows: [], joined: [],
              resets: [], log: [] };
            window.record = (c) => {
              c.on('message', (m) => { t.seqs.push(m.seq); t.messages.push(m); t.log.push('m:' + m.seq); });
              c.on('dm', (m) => { t.dms.push(m.seq); t.dmTexts.push(m.text); t.log.push('dm:' + m.seq); });
              c.on('reset', (r) => { t.resets.push(r); t.log.push('reset:' + (r.dms ? 'dms' : r.room)); });
              c.on('state', (s) => t.states.push(s.state));
              c.on('error', (e) => t.errors.push(e));
              c.on('overflow', (o) => t.overflows.push(o));
              c.on('joined', (j) => t.joined.push(j));
              return c;
            };
            """;

    /** A stand-in for the server: the test reads what the client sent and answers with frames of its choosing. */
    private static final String FAKE_SOCKET = """
            window.fake = { sockets: [] };
            window.WebSocket = class {
              constructor(url) { this.url = url; this.sent = []; fake.sockets.push(this); }
              send(s) { this.sent.push(JSON.parse(s)); }
              close(code) { this.closedWith = code || 1000; }
              frame(f) { if (this.onmessage) this.onmessage({ data: JSON.stringify(f) }); }
              shut(code) { if (this.onclose) this.onclose({ code, reason: '' }); }
            };
            window.last = () => fake.sockets[fake.sockets.length - 1];
            window.opened = async (n) => { while (fake.sockets.length < n) await new Promise((r) => setTimeout(r, 5)); };
            window.welcome = (heartbeat, dms) => last().frame({ type: 'welcome', connectionId: 'c' + fake.sockets.length,
              user: 'ann', heartbeat: heartbeat || 25, dms: dms || { seq: 0, epoch: 'e0' },
              limits: { ratePerSecond: 20, burst: 40, historyPageMax: 200, frameBytes: 16384, textChars: 4000 } });
            window.query = (name) => new URL(last().url).searchParams.get(name);
            window.dm = (seq) => last().frame({ type: 'dm', seq, id: 'd' + seq, from: 'bob', to: 'ann', text: 'dm ' + seq, ts: 1 });
            window.sentOf = (type) => last().sent.filter((f) => f.type === type);
            window.token = 'eyJhbGciOiJIUzI1NiJ9.' + btoa(JSON.stringify({ sub: 'ann', exp: 4102444800 })).replace(/=+$/, '') + '.sig';
            """;

    static TestServer server;
    static Browser browser;
    final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        server = TestServer.start(Map.of("history.replay.max", "3", "history.page.max", "2"));
        browser = Browser.open(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void page() {
        browser.driver.get(server.http("/chat/").toString()); // any page of the server's origin will do
        js(RECORD);
    }

    @AfterEach
    void cleanUp() {
        js("if (window.c) window.c.close()");
        clients.forEach(WsClient::close);
        browser.driver.get("about:blank");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser.driver).executeScript(script, args);
    }

    Object async(String body, Object... args) {
        Object result = ((JavascriptExecutor) browser.driver).executeAsyncScript(ASYNC.formatted(body), args);
        if (result instanceof Map<?, ?> m && m.containsKey("failed")) throw new AssertionError("script failed: " + m.get("failed"));
        return result;
    }

    <T> T until(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser.driver, WAIT, Duration.ofMillis(20)).withMessage(what).until(condition);
    }

    void untilJs(String what, String expression) {
        until(what, d -> Boolean.TRUE.equals(js("return " + expression)) ? true : null);
    }

    @SuppressWarnings("unchecked")
    List<Long> longs(String expression) {
        return (List<Long>) js("return " + expression);
    }

    WsClient member(String user, String room) {
        WsClient ws = WsClient.connected(server.ws(server.token(user, user, null)));
        clients.add(ws);
        ws.send("type", "join", "room", room, "id", "j-" + user);
        ws.await(f -> "joined".equals(f.path("type").asText()), "joined " + room);
        return ws;
    }

    static long say(WsClient ws, String room, String id, String text) {
        ws.send("type", "send", "room", room, "id", id, "text", text);
        return ws.await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "ack " + id)
                .path("seq").asLong();
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // --- against the real server --------------------------------------------------------------------------------

    @Test
    void afterBeingOfflineEveryMissedMessageIsEmittedOnceInSeqOrderEvenBeyondTheReplay() {
        WsClient bob = member("bob", "lib-resume");
        say(bob, "lib-resume", "b1", "one");
        async("""
                window.c = record(sb.connect('/ws', { token: arguments[0], reconnect: { baseMs: 50, capMs: 500 } }));
                await c.join('lib-resume', { since: 0 });
                """, server.token("ann", "Ann", null));
        untilJs("the first message", "t.seqs.length === 1");
        js("window.dispatchEvent(new Event('offline'))");
        untilJs("the client to be offline", "c.state === 'offline'");
        for (int i = 2; i <= 12; i++) say(bob, "lib-resume", "b" + i, "missed " + i); // replay 3, pages of 2
        js("window.dispatchEvent(new Event('online'))");
        untilJs("the client to be open again", "c.state === 'open'");
        untilJs("every missed message", "t.seqs.length >= 12");
        long live = say(bob, "lib-resume", "b13", "live");
        untilJs("the live one", "t.seqs.includes(" + live + ")");
        assertEquals(range(1, 13), longs("t.seqs"), "emitted once each, in seq order");
        assertEquals(List.of("offline", "reconnecting", "open"),
                ((List<?>) js("return t.states.slice(t.states.indexOf('offline'))")).stream().map(String::valueOf).toList());
        assertEquals(Boolean.TRUE, js("return t.joined[1].resumed && t.joined[1].hasMore === true"));
        assertEquals(13L, js("return c.lastSeq('lib-resume')"));
    }

    @Test
    void aRetryOfAStoredMessageGetsTheOriginalAckAndIsNotEmittedTwice() {
        WsClient gus = member("gus", "lib-dedup");
        long stored = say(gus, "lib-dedup", "fixed-id", "sent before the ack was lost");
        Object ack = async("""
                window.c = record(sb.connect('/ws', { token: arguments[0] }));
                await c.join('lib-dedup', { since: 0 });
                return await c.send('lib-dedup', 'sent before the ack was lost', { id: 'fixed-id' });
                """, server.token("gus", "Gus", null));
        assertEquals(Map.of("type", "ack", "id", "fixed-id", "room", "lib-dedup", "seq", stored, "duplicate", true),
                Map.copyOf(withoutTs((Map<?, ?>) ack)));
        Object second = async("return (await c.send('lib-dedup', 'next')).seq");
        untilJs("the next message", "t.seqs.includes(" + second + ")");
        assertEquals(List.of(stored, (Long) second), longs("t.seqs"));
        assertEquals(1L, js("return t.messages.filter(m => m.id === 'fixed-id').length"));
    }

    private static Map<Object, Object> withoutTs(Map<?, ?> m) {
        Map<Object, Object> copy = new java.util.HashMap<>(m);
        copy.remove("ts");
        return copy;
    }

    @Test
    void anExpiredTokenIsReplacedThroughGetToken() {
        String expired = server.server().clientTokens().issue("hal", Duration.ofMinutes(-5), "Hal", null);
        String fresh = server.token("hal", "Hal", null);
        // Known expired (exp in the payload): refreshed before connecting.
        Object calls = async("""
                let calls = 0;
                window.c = record(sb.connect('/ws', { token: arguments[0], getToken: async () => { calls++; return arguments[1]; } }));
                await c.join('lib-token');
                return calls;
                """, expired, fresh);
        assertEquals(1L, calls);
        js("c.close()");
        // Handed out expired: the server closes with 4002, the client asks again and gets in.
        Object again = async("""
                const tokens = [arguments[0], arguments[1]];
                let calls = 0;
                window.c = record(sb.connect('/ws', { getToken: async () => tokens[Math.min(calls++, 1)], reconnect: { baseMs: 20, capMs: 100 } }));
                await c.join('lib-token');
                return calls;
                """, expired, fresh);
        assertEquals(2L, again);
        assertEquals("open", js("return c.state"));
    }

    @Test
    void aRefusedTokenWithoutGetTokenEndsTheClientAndRejectsWhatWaits() {
        Object result = async("""
                window.c = record(sb.connect('/ws', { token: 'not-a-token', reconnect: { baseMs: 20, capMs: 100 } }));
                try { await c.join('lib-refused'); return 'joined?'; } catch (e) { return e.code; }
                """);
        assertEquals("unauthorized", result);
        assertEquals("closed", js("return c.state"));
        assertEquals(Boolean.TRUE, js("return t.errors.length === 1 && t.errors[0].terminal && t.errors[0].closeCode === 4001"));
    }

    @Test
    void whileOfflineTheOutboxIsBoundedAndWhatItHeldIsDeliveredOnceOnline() {
        WsClient ivy = member("ivy", "lib-outbox");
        async("""
                window.c = record(sb.connect('/ws', { token: arguments[0], outboxLimit: 3 }));
                await c.join('lib-outbox');
                window.dispatchEvent(new Event('offline'));
                window.sends = [1, 2, 3].map((i) => c.send('lib-outbox', 'queued ' + i));
                window.acks = Promise.all(sends);
                """, server.token("jay", "Jay", null));
        Object refused = async("try { await c.send('lib-outbox', 'one too many'); return 'sent?'; } catch (e) { return e.code; }");
        assertEquals("overflow", refused);
        assertEquals(Boolean.TRUE, js("return t.overflows.length === 1 && t.overflows[0].limit === 3 && c.unacked === 3"));
        js("window.dispatchEvent(new Event('online'))");
        @SuppressWarnings("unchecked")
        List<Long> seqs = (List<Long>) async("return (await acks).map((a) => a.seq)");
        assertEquals(range(1, 3), seqs);
        for (int i = 1; i <= 3; i++) {
            int n = i;
            JsonNode m = ivy.await(f -> "message".equals(f.path("type").asText()) && f.path("text").asText().equals("queued " + n),
                    "queued " + n);
            assertEquals(n, m.path("seq").asLong());
        }
        long copies = ivy.drain(Duration.ZERO).stream().filter(f -> "message".equals(f.path("type").asText())).count();
        assertEquals(0, copies, "each queued message reached the other member once");
    }

    @Test
    void directMessagesSentWhileThisTabWasAwayArriveOnceInStreamOrderThoughAnotherConnectionGotThemLive() {
        String user = "dora";
        WsClient phone = WsClient.connected(server.ws(server.token(user, "Dora", null)));
        clients.add(phone);
        WsClient eve = WsClient.connected(server.ws(server.token("eve", "Eve", null)));
        clients.add(eve);
        async("""
                window.c = record(sb.connect('/ws', { token: arguments[0], reconnect: { baseMs: 50, capMs: 500 } }));
                await new Promise((resolve) => c.on('welcome', resolve));
                """, server.token(user, "Dora", null));
        dmTo(eve, user, "e1", "before");
        untilJs("the live one", "t.dms.length === 1");
        js("window.dispatchEvent(new Event('offline'))");
        untilJs("the tab to be offline", "c.state === 'offline'");
        for (int i = 2; i <= 4; i++) dmTo(eve, user, "e" + i, "while away " + i);
        phone.await(f -> "dm".equals(f.path("type").asText()) && "e4".equals(f.path("id").asText()), "the phone got them live");
        js("window.dispatchEvent(new Event('online'))");
        untilJs("the missed ones", "t.dms.length >= 4");
        dmTo(eve, user, "e5", "live again");
        untilJs("the live one after", "t.dms.length >= 5");
        List<Long> seqs = longs("t.dms");
        assertEquals(range(seqs.get(0), seqs.get(0) + 4), seqs, "the stream, gap-free, each once");
        assertEquals(List.of("before", "while away 2", "while away 3", "while away 4", "live again"), js("return t.dmTexts"));
        assertEquals(seqs.get(4), js("return c.dmPosition.seq"));
        @SuppressWarnings("unchecked")
        List<Long> paged = (List<Long>) async("return (await c.dmHistory({ limit: 2 })).messages.map((m) => m.seq)");
        assertEquals(List.of(seqs.get(3), seqs.get(4)), paged, "dm_history pages the same stream, oldest first");
    }

    static void dmTo(WsClient from, String to, String id, String text) {
        from.send("type", "dm", "to", to, "id", id, "text", text);
        from.await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "ack " + id);
    }

    @Test
    void anIdReusedForOtherContentIsRefusedWithIdConflictAndNotRetried() {
        member("kim", "lib-conflict");
        Object result = async("""
                window.c = record(sb.connect('/ws', { token: arguments[0] }));
                await c.join('lib-conflict');
                const first = await c.send('lib-conflict', 'one', { id: 'once-only' });
                const again = await c.send('lib-conflict', 'one', { id: 'once-only' });
                const codes = [];
                for (const attempt of [() => c.send('lib-conflict', 'two', { id: 'once-only' }),
                                       () => c.dm('kim', 'one', { id: 'once-only' })]) {
                  try { await attempt(); codes.push('stored?'); } catch (e) { codes.push(e.code); }
                }
                return { first: first.seq, again: again.seq, duplicate: again.duplicate === true, codes, unacked: c.unacked };
                """, server.token("lee", "Lee", null));
        assertEquals(Map.of("first", 1L, "again", 1L, "duplicate", true, "codes", List.of("id_conflict", "id_conflict"),
                "unacked", 0L), result);
    }

    // --- against a scripted socket ------------------------------------------------------------------------------

    @Test
    void theDmStreamIsResumedWithDmSinceAfterAReconnectExactlyOnce() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome(25, { seq: 4, epoch: 'e1' });
                """);
        assertEquals(null, js("return query('dmSince')"), "a fresh client asks for nothing old");
        js("for (const seq of [4, 5, 6, 6]) dm(seq)");
        js("last().shut(1001)");
        untilJs("a second socket", "fake.sockets.length === 2");
        assertEquals(List.of("6", "e1"), js("return [query('dmSince'), query('dmEpoch')]"));
        js("welcome(25, { seq: 8, epoch: 'e1' }); for (const seq of [6, 7, 8, 9]) dm(seq)");
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), longs("t.dms"), "no gap, no duplicate");
        assertEquals(Map.of("seq", 9L, "epoch", "e1"), js("return c.dmPosition"));
        assertEquals(0L, js("return t.resets.length + sentOf('dm_history').length"));
    }

    @Test
    void aStoredDmPositionIsResumedAndAnotherEpochResetsTheStreamAndRePagesTheNewest() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws',
                  { token, dmSince: 11, dmEpoch: 'e1', resetPage: 4, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                """);
        assertEquals(List.of("11", "e1"), js("return [query('dmSince'), query('dmEpoch')]"));
        js("welcome(25, { seq: 20, epoch: 'e2' })"); // restored from a backup: another epoch, nothing replayed
        untilJs("the re-page", "sentOf('dm_history').length === 1");
        assertEquals(Map.of("type", "dm_history", "before", 21L, "limit", 4L),
                js("const f = { ...sentOf('dm_history')[0] }; delete f.id; return f"));
        js("""
                dm(21); // live meanwhile: held until the page is in
                const id = sentOf('dm_history')[0].id;
                last().frame({ type: 'dm_history', id, hasMore: true, messages: [17, 18, 19, 20].map((seq) =>
                  ({ type: 'dm', seq, id: 'd' + seq, from: 'bob', to: 'ann', text: 'dm ' + seq, ts: 1 })) });
                """);
        untilJs("the live one", "t.dms.length === 5");
        assertEquals(List.of("reset:dms", "dm:17", "dm:18", "dm:19", "dm:20", "dm:21"), js("return t.log"));
        assertEquals(Map.of("room", "null", "dms", true, "dropped", Map.of("seq", 11L, "epoch", "e1"),
                "current", Map.of("seq", 20L, "epoch", "e2")), js("return { ...t.resets[0], room: String(t.resets[0].room) }"));
        js("last().shut(1001)");
        untilJs("a second socket", "fake.sockets.length === 2");
        assertEquals(List.of("21", "e2"), js("return [query('dmSince'), query('dmEpoch')]"), "the new position, in the new epoch");
    }

    @Test
    void aRoomInAnotherEpochOrShorterThanThePositionIsResetAndItsNewestMessagesRePaged() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, resetPage: 3, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome();
                c.join('r');
                c.join('short', { since: 8, epoch: 'e1' });
                """);
        assertEquals(Boolean.TRUE, js("return !('epoch' in sentOf('join')[0]) && sentOf('join')[1].epoch === 'e1'"));
        js("""
                const [r, short] = sentOf('join');
                last().frame({ type: 'joined', id: r.id, room: 'r', seq: 5, epoch: 'e1', members: ['ann'] });
                last().frame({ type: 'joined', id: short.id, room: 'short', seq: 4, epoch: 'e1', members: ['ann'] });
                last().frame({ type: 'message', room: 'r', seq: 6, id: 'm6', from: 'bob', text: 'x', ts: 1 });
                """);
        untilJs("the re-page of the shorter room", "sentOf('history').length === 1");
        assertEquals(List.of("short", 5L, 3L), js("const h = sentOf('history')[0]; return [h.room, h.before, h.limit]"));
        js("""
                last().frame({ type: 'history', id: sentOf('history')[0].id, room: 'short', hasMore: true, messages: [2, 3, 4].map((seq) =>
                  ({ room: 'short', seq, id: 's' + seq, from: 'bob', text: 'x', ts: 1 })) });
                """);
        untilJs("the re-paged messages of the shorter room", "t.log.includes('m:4')");
        js("last().shut(1001)");
        untilJs("a second socket", "fake.sockets.length === 2");
        js("welcome()");
        untilJs("the re-joins", "sentOf('join').length === 2");
        assertEquals(Map.of("since", 6L, "epoch", "e1"), js("const j = sentOf('join').find((f) => f.room === 'r'); return { since: j.since, epoch: j.epoch }"));
        js("""
                const j = sentOf('join').find((f) => f.room === 'r');
                last().frame({ type: 'joined', id: j.id, room: 'r', seq: 9, epoch: 'e2', members: ['ann'] });
                """);
        untilJs("the re-page of r", "sentOf('history').length === 1");
        assertEquals(List.of("r", 10L, 3L), js("const h = sentOf('history')[0]; return [h.room, h.before, h.limit]"));
        js("""
                last().frame({ type: 'message', room: 'r', seq: 10, id: 'm10', from: 'bob', text: 'x', ts: 1 });
                last().frame({ type: 'history', id: sentOf('history')[0].id, room: 'r', hasMore: true, messages: [7, 8, 9].map((seq) =>
                  ({ room: 'r', seq, id: 'm' + seq, from: 'bob', text: 'x', ts: 1 })) });
                """);
        untilJs("r's live message", "t.log.includes('m:10')");
        assertEquals(List.of("reset:short", "m:6", "m:2", "m:3", "m:4", "reset:r", "m:7", "m:8", "m:9", "m:10"), js("return t.log"));
        assertEquals(Map.of("seq", 10L, "epoch", "e2"), js("return c.position('r')"));
        assertEquals(Map.of("seq", 6L, "epoch", "e1"), js("return t.resets[1].dropped"));
        assertEquals(Boolean.TRUE, js("return t.joined.filter((j) => j.reset).length === 2"));
    }

    @Test
    void anIdConflictRejectsTheMessageAndItIsNeverSentAgain() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome();
                c.join('r');
                window.conflicting = c.send('r', 'other text', { id: 'fixed' }).catch((e) => e);
                window.dmConflict = c.dm('bob', 'hi', { id: 'fixed-dm' }).catch((e) => e);
                window.fine = c.send('r', 'fine', { id: 'fine' });
                """);
        js("last().frame({ type: 'joined', id: sentOf('join')[0].id, room: 'r', seq: 0, members: ['ann'] })");
        untilJs("three messages out", "sentOf('send').length + sentOf('dm').length === 3");
        js("""
                last().frame({ type: 'error', code: 'id_conflict', id: 'fixed', message: 'id fixed names another message' });
                last().frame({ type: 'error', code: 'id_conflict', id: 'fixed-dm', message: 'id fixed-dm names another message' });
                """);
        @SuppressWarnings("unchecked")
        List<String> codes = (List<String>) async("return [await conflicting, await dmConflict].map((e) => e.code + ' ' + e.message)");
        assertTrue(codes.get(0).startsWith("id_conflict id fixed already names another message"), codes.toString());
        assertTrue(codes.get(1).startsWith("id_conflict"), codes.toString());
        assertEquals(1L, js("return c.unacked"), "only the unacked good one waits");
        js("last().shut(1001)");
        untilJs("a second socket", "fake.sockets.length === 2");
        js("welcome(); last().frame({ type: 'joined', id: sentOf('join')[0].id, room: 'r', seq: 0, members: ['ann'] })");
        untilJs("the unacked one again", "sentOf('send').length === 1");
        assertEquals(List.of("fine"), js("return sentOf('send').map((f) => f.id).concat(sentOf('dm').map((f) => f.id))"),
                "the conflicting ones are not sent again");
        js("last().frame({ type: 'ack', id: 'fine', room: 'r', seq: 1, ts: 1 })");
        assertEquals(1L, async("return (await fine).seq"));
        Object local = async("try { await c.send('r', 'half an emoji \\ud83d'); return 'sent?'; } catch (e) { return e.code; }");
        assertEquals("invalid_frame", local, "a lone surrogate is refused before it is sent");
    }

    @Test
    void busyAndUnavailableAreRetriedWithTheSameIdUntilAcked() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome();
                c.join('r');
                window.p = c.send('r', 'hello');
                """);
        js("last().frame({ type: 'joined', id: last().sent[0].id, room: 'r', seq: 0, members: ['ann'] })");
        String id = (String) js("return p.id");
        js("last().frame({ type: 'error', code: 'busy', id: arguments[0], message: 'busy' })", id);
        untilJs("a second send", "last().sent.filter(f => f.type === 'send').length === 2");
        js("last().frame({ type: 'error', code: 'unavailable', id: arguments[0], message: 'db' })", id);
        untilJs("a third send", "last().sent.filter(f => f.type === 'send').length === 3");
        assertEquals(List.of(id, id, id), js("return last().sent.filter(f => f.type === 'send').map(f => f.id)"));
        js("last().frame({ type: 'ack', id: arguments[0], room: 'r', seq: 1, ts: 1 })", id);
        assertEquals(1L, async("return (await p).seq"));
    }

    @Test
    void aRateLimitedFrameIsSentAgainAfterAPause() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome();
                c.join('r');
                window.p = c.send('r', 'hello');
                """);
        String id = (String) js("return p.id");
        js("last().frame({ type: 'joined', id: last().sent[0].id, room: 'r', seq: 0, members: ['ann'] })");
        long at = System.nanoTime();
        js("last().frame({ type: 'error', code: 'rate_limited', id: arguments[0], message: 'slow down' })", id);
        untilJs("the retry", "last().sent.filter(f => f.type === 'send').length === 2");
        assertTrue(Duration.ofNanos(System.nanoTime() - at).toMillis() >= 900, "paused about a second first");
        js("last().frame({ type: 'ack', id: arguments[0], room: 'r', seq: 1, ts: 1 })", id);
        assertEquals(1L, async("return (await p).seq"));
        assertEquals(0L, js("return t.errors.length"), "a rate limit is handled, not reported");
    }

    @Test
    void repeatedRoomAndDirectMessagesAreEmittedOnce() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token }));
                await opened(1);
                welcome();
                c.join('r');
                """);
        js("""
                const s = last();
                s.frame({ type: 'joined', id: s.sent[0].id, room: 'r', seq: 4, members: ['ann'] });
                for (const seq of [3, 4, 5, 5, 6, 5, 7]) s.frame({ type: 'message', room: 'r', seq, id: 'm' + seq, from: 'bob', text: 'x', ts: 1 });
                s.frame({ type: 'message', room: 'other', seq: 8, id: 'x', from: 'bob', text: 'not joined', ts: 1 });
                for (const seq of [10, 10, 11, 9, 12]) s.frame({ type: 'dm', seq, id: 'd' + seq, from: 'bob', to: 'ann', text: 'x', ts: 1 });
                """);
        assertEquals(List.of(5L, 6L, 7L), longs("t.seqs"), "only what follows the join, each seq once");
        assertEquals(List.of(10L, 11L, 12L), longs("t.dms"));
    }

    @Test
    void aSilentSocketIsDroppedAfterTwoHeartbeatsAndTheClientReconnectsAndRejoins() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome(1);
                c.join('r');
                """);
        js("last().frame({ type: 'joined', id: last().sent[0].id, room: 'r', seq: 7, members: ['ann'] })");
        untilJs("an application ping", "last().sent.some(f => f.type === 'ping')");
        // No frame answers: after 2 x heartbeat (2 s) the client gives up on the socket and opens another.
        untilJs("a second socket", "fake.sockets.length === 2");
        assertEquals(Boolean.TRUE, js("return fake.sockets[0].closedWith === 1000 && c.state === 'reconnecting'"));
        js("welcome(1)");
        untilJs("the re-join", "last().sent.some(f => f.type === 'join')");
        assertEquals(7L, js("return last().sent.find(f => f.type === 'join').since"), "resumes from the last seq it saw");
        assertEquals("open", js("return c.state"));
    }

    @Test
    void aDrainsCloseReconnectsAtOnceWithoutBackoffAndResumesWhileA1012BeforeTheWelcomeIsAFailedAttempt() {
        js(FAKE_SOCKET);
        // maxTries 0: any failed attempt ends the client, and the backoff would be up to a minute. Only the drain rule
        // reconnects at once.
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 60000, capMs: 60000, maxTries: 0 } }));
                await opened(1);
                welcome(25, { seq: 4, epoch: 'e1' });
                c.join('r');
                """);
        js("""
                const j = sentOf('join')[0];
                last().frame({ type: 'joined', id: j.id, room: 'r', seq: 5, epoch: 'e1', members: ['ann'] });
                last().frame({ type: 'message', room: 'r', seq: 6, id: 'm6', from: 'bob', text: 'x', ts: 1 });
                dm(5);
                """);
        untilJs("the message and the dm", "t.log.includes('m:6') && t.log.includes('dm:5')");
        js("window.shutAt = Date.now(); last().shut(1012)");
        untilJs("a reconnect after the drain's close", "fake.sockets.length === 2");
        long waited = ((Number) js("return Date.now() - shutAt")).longValue();
        assertTrue(waited < 1500, "reconnected after the jitter of at most 1 s, not the backoff: " + waited + " ms");
        assertEquals(List.of("5", "e1"), js("return [query('dmSince'), query('dmEpoch')]"), "the DM stream resumes");
        js("welcome(25, { seq: 5, epoch: 'e1' })");
        untilJs("the re-join", "sentOf('join').length === 1");
        assertEquals(Map.of("since", 6L, "epoch", "e1"), js("const j = sentOf('join')[0]; return { since: j.since, epoch: j.epoch }"));

        // Drained again at once, and the next node answer is a draining node's refusal before any welcome: that is a
        // failed attempt like any other (with maxTries 0, the end).
        js("last().shut(1012)");
        untilJs("a third socket", "fake.sockets.length === 3");
        js("last().shut(1012)");
        untilJs("the client to give up", "c.state === 'closed'");
        assertEquals("reconnect_failed", js("return t.errors[t.errors.length - 1].code"));
        assertEquals(3L, js("return fake.sockets.length"));
    }

    @Test
    void aBanEndsTheClientWhileOtherClosesReconnectWithFullJitterBackoff() {
        js(FAKE_SOCKET);
        async("""
                window.c = record(sb.connect('ws://example.invalid/ws', { token, reconnect: { baseMs: 10, capMs: 40 } }));
                await opened(1);
                welcome();
                """);
        js("last().shut(1001)");
        untilJs("a reconnect after going_away", "fake.sockets.length === 2");
        js("welcome(); last().shut(4003)");
        untilJs("the client to stop", "c.state === 'closed'");
        assertEquals(Boolean.TRUE, js("return t.errors[0].code === 'banned' && t.errors[0].terminal === true"));
        assertEquals(2L, js("return fake.sockets.length"), "no reconnect after a ban");
        @SuppressWarnings("unchecked")
        List<Number> d = (List<Number>) async("return Array.from({ length: 400 }, () => sb.backoffDelay(6, 100, 1000))");
        assertTrue(d.stream().allMatch(x -> x.doubleValue() >= 0 && x.doubleValue() < 1000), "within [0, cap)");
        assertTrue(d.stream().anyMatch(x -> x.doubleValue() < 100) && d.stream().anyMatch(x -> x.doubleValue() > 900),
                "full jitter spreads over the whole range: " + d.stream().mapToDouble(Number::doubleValue).summaryStatistics());
        @SuppressWarnings("unchecked")
        List<Number> early = (List<Number>) async("return Array.from({ length: 100 }, () => sb.backoffDelay(2, 100, 1000))");
        assertTrue(early.stream().allMatch(x -> x.doubleValue() < 400), "attempt 2: below base * 2^2");
    }
}
