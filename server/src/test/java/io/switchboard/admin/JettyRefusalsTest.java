package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests Jetty refuses before any route runs (a path that is not UTF-8, an unparsable request line, a URI or
 * headers over Jetty's limits): under {@code /api} they are problem documents like every other refusal; elsewhere a
 * short HTML page; never an empty body, never the request URI repeated back.
 */
@Timeout(60)
class JettyRefusalsTest extends AdminApiTestBase {
    private static final String SECRET = LeakGuard.register("Q".repeat(40));

    private RawHttp.Answer raw(String method, String target, String... headers) {
        String[] all = new String[headers.length + 1];
        all[0] = "Authorization: Bearer " + server.adminToken();
        System.arraycopy(headers, 0, all, 1, headers.length);
        return RawHttp.exchange(server.port(), method, target, all);
    }

    private static JsonNode assertProblem(RawHttp.Answer a, int status, String kind) {
        assertEquals(status, a.status(), a.toString());
        assertEquals(AdminClient.PROBLEM, a.contentType(), a.toString());
        JsonNode p;
        try {
            p = WsClient.JSON.readTree(a.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + a, e);
        }
        assertEquals("urn:switchboard:problem:" + kind, p.path("type").asText(), a.body());
        assertEquals(status, p.path("status").asInt(), a.body());
        assertFalse(p.path("title").asText().isEmpty(), a.body());
        assertFalse(p.path("detail").asText().isEmpty(), a.body());
        return p;
    }

    @Test
    void pathsThatAreNotUtf8AreBadRequestProblemsForEveryMethod() {
        for (String[] req : List.of(
                new String[] {"GET", "/api/v1/rooms/%ED%A0%80"},
                new String[] {"GET", "/api/v1/connections/%ED%A0%80"},
                new String[] {"POST", "/api/v1/users/%ED%A0%80/kick"},
                new String[] {"GET", "/api/v1/rooms/%ff"},
                new String[] {"DELETE", "/api/v1/bans/%ED%A0%80"},
                new String[] {"DELETE", "/api/v1/connections/%C0%AF"},
                new String[] {"GET", "/%61pi/v1/rooms/%ff"})) {
            RawHttp.Answer a = raw(req[0], req[1], "Content-Length: 0");
            assertProblem(a, 400, "bad-request");
            assertFalse(a.body().contains(req[1]) || a.body().toLowerCase().contains("%ed"), "no URI echoed: " + a.body());
        }
    }

    @Test
    void requestsJettyCannotParseAreProblemsWithoutTheUri() {
        for (String target : List.of("/api/v1/rooms/%", "/api/v1/rooms/a%00b", "/api/v1/rooms/%zz?token=" + SECRET)) {
            RawHttp.Answer a = raw("GET", target);
            assertProblem(a, 400, "bad-request");
            assertFalse(a.body().contains(SECRET), a.body());
        }
        RawHttp.Answer tooLong = raw("GET", "/api/v1/info?token=" + SECRET + "&pad=" + "x".repeat(20_000));
        assertProblem(tooLong, 414, "http-414");
        assertFalse(tooLong.body().contains(SECRET), tooLong.body());
        RawHttp.Answer tooLarge = raw("GET", "/api/v1/info", "X-Pad: " + "y".repeat(20_000));
        assertProblem(tooLarge, 431, "http-431");
    }

    @Test
    void outsideTheApiTheRefusalIsAShortPageThatNeverRepeatsTheUri() {
        for (String method : List.of("GET", "DELETE", "PUT")) {
            RawHttp.Answer a = raw(method, "/console/%ff?token=" + SECRET, "Content-Length: 0");
            assertEquals(400, a.status(), a.toString());
            assertEquals("text/html", a.contentType(), a.toString());
            assertTrue(a.body().contains("400 Bad Request"), "never an empty body: " + a);
            assertFalse(a.body().contains(SECRET) || a.body().contains("/console"), "no URI echoed: " + a.body());
        }
        RawHttp.Answer ws = raw("GET", "/ws/%ED%A0%80?token=" + SECRET);
        assertEquals(400, ws.status(), ws.toString());
        assertFalse(ws.body().contains(SECRET), ws.body());
    }

    @Test
    void theApiStillAnswersWellFormedRequests() {
        api.get("/api/v1/rooms/caf%C3%A9").problem(404); // valid UTF-8 reaches the route, which finds no such room
        api.get("/api/v1/info").expect(200);
    }

    @Test
    void aQueryStringThatIsNotUtf8IsABadRequestProblem() {
        JsonNode p = api.get("/api/v1/connections?user=%ff").problem(400);
        assertEquals("urn:switchboard:problem:bad-request", p.path("type").asText());
        api.get("/api/v1/connections?user=%ED%A0%80").problem(400);
        api.get("/api/v1/audit?limit=5&x=%C3").problem(400);
        api.get("/api/v1/connections?user=zo%C3%AB").expect(200);
    }
}
