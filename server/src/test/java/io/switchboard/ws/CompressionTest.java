package io.switchboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.RawWebSocket;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ws.compression: what a client offering permessage-deflate gets, and what then goes over the wire. */
@Timeout(60)
class CompressionTest {
    /** What Chrome offers on every WebSocket. */
    private static final String CHROME = "permessage-deflate; client_max_window_bits";
    private static final Set<String> SERVER_NO_TAKEOVER = Set.of("permessage-deflate", "server_no_context_takeover");

    static TestServer plain;
    static TestServer deflating;

    @BeforeAll
    static void start() {
        plain = TestServer.start(java.util.Map.of());
        deflating = TestServer.start(java.util.Map.of("ws.compression", "on",
                "limits.text.chars", "20000", "limits.frame.bytes", "65536"));
    }

    @AfterAll
    static void stop() {
        if (plain != null) plain.close();
        if (deflating != null) deflating.close();
    }

    @Test
    void byDefaultABrowsersOfferIsDeclinedAndTheConnectionChatsUncompressed() throws IOException {
        try (WsClient chrome = WsClient.connectOffering(plain.ws(plain.token("chrome")), CHROME);
             WsClient firefox = WsClient.connectOffering(plain.ws(plain.token("firefox")), "permessage-deflate")) {
            assertNull(chrome.extensionsAnswered());
            assertNull(firefox.extensionsAnswered());
            chrome.await("welcome");
            firefox.await("welcome");
            chat(chrome, firefox, "off-room", "hello uncompressed");
        }
        try (RawWebSocket raw = RawWebSocket.connect(plain.ws(plain.token("raw-off")), CHROME)) {
            assertNull(raw.responseHeader("Sec-WebSocket-Extensions"));
            RawWebSocket.Frame welcome = raw.read(Duration.ofSeconds(10));
            assertFalse(welcome.rsv1(), "uncompressed on the wire");
            assertTrue(welcome.text().startsWith("{\"type\":\"welcome\""), welcome.text());
        }
    }

    @Test
    void whenOnAnOfferIsAnsweredWithServerNoContextTakeover() {
        try (WsClient chrome = WsClient.connectOffering(deflating.ws(deflating.token("chrome-on")), CHROME);
             WsClient strict = WsClient.connectOffering(deflating.ws(deflating.token("strict-on")),
                     "permessage-deflate; client_no_context_takeover");
             WsClient none = WsClient.connect(deflating.ws(deflating.token("none-on")))) {
            assertEquals(SERVER_NO_TAKEOVER, parameters(chrome.extensionsAnswered()));
            assertEquals(Set.of("permessage-deflate", "client_no_context_takeover", "server_no_context_takeover"),
                    parameters(strict.extensionsAnswered()));
            assertNull(none.extensionsAnswered(), "nothing offered, nothing answered");
            for (WsClient c : List.of(chrome, strict, none)) c.await("welcome");
            chat(chrome, strict, "on-room", "hello compressed");
            chat(none, chrome, "on-room-2", "hello from an uncompressed client");
        }
    }

    @Test
    void whenOnALargeMessageIsCompressedOnTheWireAndArrivesIntact() throws IOException {
        String text = "All work and no play makes Jack a dull boy. ".repeat(300); // 13,200 characters
        try (RawWebSocket raw = RawWebSocket.connect(deflating.ws(deflating.token("raw-on")), CHROME);
             WsClient sender = WsClient.connectOffering(deflating.ws(deflating.token("sender-on")), CHROME)) {
            assertEquals(SERVER_NO_TAKEOVER, parameters(raw.responseHeader("Sec-WebSocket-Extensions")));
            RawWebSocket.Frame welcome = raw.read(Duration.ofSeconds(10));
            assertTrue(welcome.rsv1(), "the welcome is compressed");
            assertTrue(inflate(welcome.payload()).startsWith("{\"type\":\"welcome\""));
            raw.sendText("{\"type\":\"join\",\"room\":\"big-room\",\"id\":\"j1\"}"); // a client may send uncompressed
            awaitInflated(raw, "\"type\":\"joined\"");

            sender.await("welcome");
            sender.join("big-room");
            sender.say("big-room", text); // compressed by Jetty's client, inflated by the server
            assertEquals(text, sender.await("message").get("text").asText(), "the sender's copy, inflated by Jetty's client");

            // Each frame inflates on its own, with a fresh Inflater: the server kept no window between messages.
            RawWebSocket.Frame frame = awaitInflated(raw, "\"type\":\"message\"");
            String json = inflate(frame.payload());
            assertEquals(text, WsClient.JSON.readTree(json).get("text").asText());
            assertTrue(frame.payload().length * 20 < json.length(),
                    "compressed " + json.length() + " bytes of JSON into " + frame.payload().length);
        }
    }

    @Test
    void whenOnAnOfferThatCannotBeHonouredIsDeclinedAndTheConnectionWorksUncompressed() throws IOException {
        // Jetty alone would accept it and compress with a 15-bit window, more than the client allowed.
        try (RawWebSocket raw = RawWebSocket.connect(deflating.ws(deflating.token("small-window")),
                "permessage-deflate; server_max_window_bits=10")) {
            assertNull(raw.responseHeader("Sec-WebSocket-Extensions"));
            RawWebSocket.Frame welcome = raw.read(Duration.ofSeconds(10));
            assertFalse(welcome.rsv1());
            assertTrue(welcome.text().startsWith("{\"type\":\"welcome\""), welcome.text());
        }
    }

    @Test
    void theFirstOfferThatCanBeHonouredIsAnswered() {
        assertEquals("permessage-deflate;server_no_context_takeover", answer(CHROME));
        assertEquals("permessage-deflate;server_no_context_takeover", answer("permessage-deflate"));
        assertEquals("permessage-deflate;server_no_context_takeover", answer("permessage-deflate; server_no_context_takeover"));
        assertEquals("permessage-deflate;client_no_context_takeover;server_no_context_takeover",
                answer("permessage-deflate; client_no_context_takeover; client_max_window_bits=12"));
        assertEquals("permessage-deflate;server_no_context_takeover",
                answer("permessage-deflate; server_max_window_bits=10", "permessage-deflate; client_max_window_bits"));
        assertNull(answer("permessage-deflate; server_max_window_bits=15"));
        assertNull(answer("permessage-deflate; mystery=1"));
        assertNull(answer("x-webkit-deflate-frame"));
        assertNull(answer());
    }

    /** RFC 7692 §7.1.2.2: a client_max_window_bits value must be 8 to 15 without leading zeros, else the offer is declined. */
    @Test
    void anOfferWithAnInvalidClientWindowIsDeclined() {
        for (String bits : List.of("8", "9", "12", "15", "\"10\"")) {
            assertEquals("permessage-deflate;server_no_context_takeover",
                    answer("permessage-deflate; client_max_window_bits=" + bits), bits);
        }
        for (String bits : List.of("7", "16", "abc", "010", "10=11", "-9", "")) {
            assertNull(answer("permessage-deflate; client_max_window_bits=" + bits), bits);
        }
        assertEquals("permessage-deflate;server_no_context_takeover",
                answer("permessage-deflate; client_max_window_bits=99", "permessage-deflate"), "the next offer is taken");
    }

    /** RFC 7692 §7.1.1: the no_context_takeover parameters have no value; an offer that gives one is declined. */
    @Test
    void anOfferGivingANoContextTakeoverParameterAValueIsDeclined() {
        assertNull(answer("permessage-deflate; server_no_context_takeover=1"));
        assertNull(answer("permessage-deflate; client_no_context_takeover=true"));
        assertEquals("permessage-deflate;client_no_context_takeover;server_no_context_takeover",
                answer("permessage-deflate; client_no_context_takeover; server_no_context_takeover"));
    }

    private static String answer(String... offers) {
        ExtensionConfig answer = Compression.accept(Arrays.stream(offers).map(ExtensionConfig::parse).toList());
        return answer == null ? null : answer.getParameterizedName();
    }

    /** Both join a room; {@code from} sends (and gets its ack), {@code to} receives the message. */
    private static void chat(WsClient from, WsClient to, String room, String text) {
        from.join(room);
        to.join(room);
        from.say(room, text);
        JsonNode received = to.await(f -> "message".equals(f.path("type").asText()) && room.equals(f.path("room").asText()),
                "message in " + room);
        assertEquals(text, received.get("text").asText());
    }

    /** The extension's name and parameters, in whatever order the server wrote them. */
    private static Set<String> parameters(String header) {
        assertTrue(header != null && !header.contains(","), "one extension answered: " + header);
        return Arrays.stream(header.split(";")).map(String::trim).collect(Collectors.toSet());
    }

    /** Reads frames until one whose inflated text contains {@code marker}; each must be compressed. */
    private static RawWebSocket.Frame awaitInflated(RawWebSocket raw, String marker) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            RawWebSocket.Frame f = raw.read(Duration.ofMillis(500));
            if (f == null || f.opcode() != RawWebSocket.TEXT) continue;
            assertTrue(f.rsv1(), "every server message is compressed");
            String json = inflate(f.payload());
            if (json.contains(marker)) return f;
            seen.add(json);
        }
        throw new AssertionError("no frame with " + marker + "; saw " + seen);
    }

    /** A permessage-deflate payload inflated on its own (RFC 7692 §7.2.2: the sender dropped 00 00 ff ff). */
    private static String inflate(byte[] payload) {
        Inflater inflater = new Inflater(true);
        try {
            byte[] input = Arrays.copyOf(payload, payload.length + 4);
            input[payload.length + 2] = (byte) 0xff;
            input[payload.length + 3] = (byte) 0xff;
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = inflater.inflate(buffer)) > 0) out.write(buffer, 0, n);
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new AssertionError("payload does not inflate on its own: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
