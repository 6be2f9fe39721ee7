package io.switchboard.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The error paths where HTTP stacks like to log the request: URI too long (414), headers too large (431), a refused
 * upgrade, unknown routes, wrong admin tokens, with the access log on. Every line logged at any level is scanned by
 * {@link LeakGuard}; these tests also check, so that the failure points at the request that leaked.
 */
@Timeout(120)
class TokensNeverLoggedTest {
    static TestServer server;
    static String jwt;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("access.log", "true"));
        jwt = server.token("leaky");
        LeakGuard.takeLeaks(); // what other classes left is theirs (the extension reports it before this class)
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends raw bytes (so that nothing client-side refuses an oversized request) and returns the status code. */
    private static int raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') head.write(b);
            String status = head.toString(StandardCharsets.ISO_8859_1);
            assertTrue(status.startsWith("HTTP/1.1 "), "status line: " + status);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private static String upgrade(String target, String... extraHeaders) {
        StringBuilder b = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        for (String h : extraHeaders) b.append(h).append("\r\n");
        return b.append("\r\n").toString();
    }

    private static void assertNoLeak(String what) {
        List<LeakGuard.Leak> leaks = LeakGuard.takeLeaks();
        assertEquals(List.of(), leaks, what + " logged a secret");
    }

    @Test
    void aUriTooLongWithATokenInItIs414AndLogsNoToken() throws IOException {
        assertEquals(414, raw(upgrade("/ws?token=" + jwt + "&pad=" + "x".repeat(20_000))));
        assertEquals(414, raw("GET /api/v1/info?token=" + jwt + "&pad=" + "x".repeat(20_000) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertNoLeak("a 414");
    }

    @Test
    void headersTooLargeWithTokensInThemIs431AndLogsNoToken() throws IOException {
        String admin = server.adminToken();
        assertEquals(431, raw(upgrade("/ws?token=" + jwt, "Authorization: Bearer " + jwt, "X-Pad: " + "y".repeat(20_000))));
        assertEquals(431, raw("GET /api/v1/info HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + admin
                + "\r\nCookie: sb_session=" + LeakGuard.register("S".repeat(43)) + "\r\nX-Pad: " + "y".repeat(20_000) + "\r\n\r\n"));
        assertNoLeak("a 431");
    }

    @Test
    void aTokenThatOnceCausedA500AndOtherRefusedUpgradesLogNoToken() throws Exception {
        String secret = Files.readString(server.dataDir().resolve("jwt.secret")).trim();
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = b64("{\"sub\":\"u\",\"rooms\":[{}],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
        String odd = LeakGuard.register(header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                Algorithm.HMAC256(secret).sign(header.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII))));
        assertEquals(101, raw(upgrade("/ws?token=" + odd)));
        assertEquals(400, raw(upgrade("/ws?token=" + jwt + "%zz")), "not percent-encoding: Jetty's clean 400");
        assertEquals(403, raw(upgrade("/ws?token=" + jwt, "Origin: https://evil.example.net")));
        try (WsClient c = WsClient.connect(server.ws(odd))) {
            assertEquals(4001, c.awaitClose().code());
        }
        assertNoLeak("a refused upgrade");
    }

    @Test
    void unknownRoutesWrongMethodsAndWrongAdminTokensWithTheAccessLogOnLogNoToken() throws IOException {
        String admin = server.adminToken();
        assertEquals(404, raw("GET /api/v1/nothing?token=" + jwt + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + admin + "\r\n\r\n"));
        assertEquals(404, raw("GET /nothing?token=" + jwt + "&access_token=" + admin + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(401, raw("GET /api/v1/info HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + jwt + "\r\n\r\n"));
        raw("GET /api/v1/info?token=" + jwt + "%%% HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + admin + "\r\n\r\n");
        String body = "{\"token\":\"" + admin + "\"}";
        raw("POST /console/session HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
        assertNoLeak("an unknown route or a refused admin request");
    }

    @Test
    void theGuardReallySawTheseRequestsBecauseJettysDebugLinesNeededMasking() throws IOException {
        long before = LeakGuard.maskedLines();
        raw("GET /nothing?token=" + jwt + " HTTP/1.1\r\nHost: h\r\n\r\n");
        // Jetty logs the request line at DEBUG; the test run's loggers are at TRACE, so some line held the token
        // before %redact masked it. Zero would mean the guard is blind to what this class provokes.
        io.switchboard.testing.Await.until("a masked log line", java.time.Duration.ofSeconds(10), () -> LeakGuard.maskedLines() > before);
        assertNoLeak("a plain 404");
    }

    /** Every character percent-encoded, as a client may write any of them and the server decodes them all. */
    private static String percentEncoded(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(String.format("%%%02X", (int) c));
        return b.toString();
    }

    @Test
    void encodedAndOddlyWrittenCredentialsThatTheServerAcceptsAreMaskedWithJettyAtDebug() throws IOException {
        String admin = server.adminToken();
        String session = LeakGuard.register("Q".repeat(43));
        String upperDots = jwt.replace(".", "%2E");
        String lowerDots = jwt.replace(".", "%2e");
        long before = LeakGuard.maskedLines();
        // The access log and Jetty's request lines, on a known route (401), an unknown one (404) and the socket.
        assertEquals(401, raw("GET /api/v1/rooms/" + upperDots + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(404, raw("GET /nothing/" + lowerDots + "?x=" + upperDots + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        // Credentials the server really accepts: a percent-encoded parameter name, a fully encoded token.
        assertEquals(101, raw(upgrade("/ws?%74oken=" + jwt)), "the server decodes %74oken to token");
        assertEquals(101, raw(upgrade("/ws?%74%6F%6B%65%6E=" + percentEncoded(jwt))), "and every character of the token");
        assertEquals(101, raw(upgrade("/ws", "Authorization: bEaReR \t " + jwt)), "Bearer in any case and spacing");
        assertEquals(200, raw("GET /api/v1/info?%74oken=" + percentEncoded(admin) + " HTTP/1.1\r\nHost: h\r\n"
                + "Authorization: BEARER   " + admin + "\r\n\r\n"));
        // A quoted cookie value, as RFC 6265 allows and Jetty's HttpParser logs at DEBUG.
        raw("GET /console/api/session HTTP/1.1\r\nHost: h\r\nCookie: sb_session=\"" + session + "\"\r\n\r\n");
        raw("GET /console/api/session HTTP/1.1\r\nHost: h\r\nCookie: other=1; sb_session = '" + session + "'\r\n\r\n");
        // A JSON escape in the field name: Jackson reads {"\u0074oken": …} as "token".
        String body = "{\"\\u0074oken\":\"" + admin + "\"}";
        raw("POST /console/session HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
        // The guard must have seen encoded secrets (it decodes what it scans), or it would be blind to this class.
        io.switchboard.testing.Await.until("masked log lines", java.time.Duration.ofSeconds(10), () -> LeakGuard.maskedLines() > before);
        assertNoLeak("an encoded credential");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
