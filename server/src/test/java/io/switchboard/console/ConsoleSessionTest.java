package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console's sign-in: cookie flags, CSRF, sign-out, restarts, brute-force limit, security headers. */
@Timeout(60)
class ConsoleSessionTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> call(TestServer s, String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.http(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookieOf(HttpResponse<String> signIn) {
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        io.switchboard.testing.LeakGuard.register(cookie.substring(cookie.indexOf('=') + 1));
        return cookie;
    }

    @Test
    void signingInSetsAStrictHttpOnlyCookieAndChangesNeedTheCsrfToken() throws Exception {
        try (TestServer s = TestServer.start()) {
            HttpResponse<String> signIn = call(s, "POST", "/console/session", "{\"token\":\"" + s.adminToken() + "\"}");
            assertEquals(200, signIn.statusCode());
            String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
            JsonNode session = WsClient.JSON.readTree(signIn.body());
            assertEquals("operator", session.get("role").asText());
            String cookie = cookieOf(signIn);
            String csrf = session.get("csrf").asText();

            assertEquals(200, call(s, "GET", "/api/v1/connections", null, "Cookie", cookie).statusCode(), "reads need no CSRF token");
            HttpResponse<String> noCsrf = call(s, "POST", "/api/v1/broadcast", "{\"text\":\"x\"}", "Cookie", cookie);
            assertEquals(403, noCsrf.statusCode());
            assertTrue(noCsrf.body().contains("csrf"));
            assertEquals(403, call(s, "POST", "/api/v1/broadcast", "{\"text\":\"x\"}", "Cookie", cookie,
                    "X-CSRF-Token", "wrong").statusCode());
            assertEquals(200, call(s, "POST", "/api/v1/broadcast", "{\"text\":\"x\"}", "Cookie", cookie,
                    "X-CSRF-Token", csrf).statusCode());

            assertEquals(204, call(s, "DELETE", "/console/session", null, "Cookie", cookie, "X-CSRF-Token", csrf).statusCode());
            assertEquals(401, call(s, "GET", "/api/v1/connections", null, "Cookie", cookie).statusCode(), "signed out");
            assertEquals(401, call(s, "GET", "/console/session", null, "Cookie", cookie).statusCode());
        }
    }

    @Test
    void aBadTokenIsRefusedAndRepeatedAttemptsAreThrottled() throws Exception {
        try (TestServer s = TestServer.start()) {
            HttpResponse<String> bad = call(s, "POST", "/console/session", "{\"token\":\"not-the-token-at-all\"}");
            assertEquals(401, bad.statusCode());
            assertTrue(bad.headers().firstValue("Set-Cookie").isEmpty());
            int throttled = 0;
            for (int i = 0; i < 20; i++) {
                if (call(s, "POST", "/console/session", "{\"token\":\"guess-" + i + "-xxxxxxxxxxxx\"}").statusCode() == 429) throttled++;
            }
            assertTrue(throttled > 0, "guessing must be slowed down");
        }
    }

    @Test
    void aSignedInConsoleStaysSignedInAcrossARestart() throws Exception {
        TestServer s = TestServer.start();
        try {
            HttpResponse<String> signIn = call(s, "POST", "/console/session", "{\"token\":\"" + s.adminToken() + "\"}");
            String cookie = cookieOf(signIn);
            s = s.restart();
            HttpResponse<String> after = call(s, "GET", "/console/session", null, "Cookie", cookie);
            assertEquals(200, after.statusCode());
            assertEquals(WsClient.JSON.readTree(signIn.body()).get("csrf").asText(),
                    WsClient.JSON.readTree(after.body()).get("csrf").asText());
        } finally {
            s.close();
        }
    }

    @Test
    void everyPageCarriesAStrictContentSecurityPolicy() throws Exception {
        try (TestServer s = TestServer.start()) {
            for (String path : List.of("/console/", "/health", "/api/v1/info")) {
                HttpResponse<String> r = call(s, "GET", path, null);
                String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
                assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
                assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            }
            assertEquals(200, call(s, "GET", "/webjars/chart.js/4.5.1/dist/chart.umd.js", null).statusCode(),
                    "the chart library is served from the jar");
        }
    }

    @Test
    void theLiveStreamStartsWithASnapshotAndReportsNewConnections() throws Exception {
        try (TestServer s = TestServer.start()) {
            HttpRequest req = HttpRequest.newBuilder(s.http("/api/v1/events"))
                    .header("Authorization", "Bearer " + s.adminToken()).header("Accept", "text/event-stream").build();
            var lines = HTTP.send(req, HttpResponse.BodyHandlers.ofLines()).body().iterator();
            assertEquals("event: snapshot", lines.next());
            try (WsClient c = WsClient.connected(s.ws(s.token("streamed")))) {
                String line;
                do {
                    line = lines.next();
                } while (!line.equals("event: connection.opened"));
                assertTrue(lines.next().contains("\"user\":\"streamed\""));
            }
        }
    }

    @Test
    void theEventStreamAsksForTheEventStreamMediaTypeAndReportsAuditedActions() throws Exception {
        try (TestServer s = TestServer.start()) {
            assertEquals(406, call(s, "GET", "/api/v1/events", null, "Authorization", "Bearer " + s.adminToken()).statusCode());
            HttpRequest req = HttpRequest.newBuilder(s.http("/api/v1/events"))
                    .header("Authorization", "Bearer " + s.adminToken()).header("Accept", "text/event-stream").build();
            var lines = HTTP.send(req, HttpResponse.BodyHandlers.ofLines()).body().iterator();
            assertEquals("event: snapshot", lines.next());
            assertEquals(201, call(s, "POST", "/api/v1/rooms", "{\"room\":\"audited\"}", "Authorization", "Bearer " + s.adminToken())
                    .statusCode());
            String line;
            do {
                line = lines.next();
            } while (!line.equals("event: audit"));
            String data = lines.next();
            assertTrue(data.contains("\"action\":\"create_room\"") && data.contains("room audited"), data);
        }
    }
}
