package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every /api request needs the admin bearer token; refusals are RFC 9457 problems with a Bearer challenge. */
@Timeout(60)
class AdminApiGuardTest {
    private static final String PROBLEM = "application/problem+json";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String contentType(HttpResponse<String> r) {
        return r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsClient.JSON.readTree(r.body());
    }

    private static void assertUnauthorizedProblem(HttpResponse<String> r) throws Exception {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(PROBLEM, contentType(r));
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                "challenge: " + r.headers().firstValue("WWW-Authenticate"));
        JsonNode problem = json(r);
        assertEquals(401, problem.path("status").asInt());
        assertEquals("urn:switchboard:problem:unauthorized", problem.path("type").asText());
    }

    @Test
    void aRequestWithoutATokenIsRefusedWith401Problem() throws Exception {
        assertUnauthorizedProblem(server.get("/api/v1/anything"));
    }

    @Test
    void aWrongTokenIsRefusedWith401Problem() throws Exception {
        assertUnauthorizedProblem(server.get("/api/v1/anything", "Authorization", "Bearer not-the-admin-token-0123456789"));
    }

    @Test
    void theAdminTokenWithoutTheBearerSchemeIsRefused() throws Exception {
        assertUnauthorizedProblem(server.get("/api/v1/anything", "Authorization", server.adminToken()));
    }

    @Test
    void aClientTokenIsNotAnAdminToken() throws Exception {
        assertUnauthorizedProblem(server.get("/api/v1/anything", "Authorization", "Bearer " + server.token("mallory")));
    }

    @Test
    void theAdminTokenFromTheDataDirPassesTheGuard() throws Exception {
        String token = server.adminToken();
        assertFalse(token.isBlank());
        HttpResponse<String> r = server.get("/api/v1/anything", "Authorization", "Bearer " + token);
        assertNotEquals(401, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("WWW-Authenticate").isEmpty(), "no challenge once authenticated");
        // No admin routes exist yet: an unknown path is a 404 problem.
        assertEquals(404, r.statusCode(), r.body());
        assertEquals(PROBLEM, contentType(r));
        assertEquals(404, json(r).path("status").asInt());
    }

    @Test
    void anUnknownApiPathIsA404ProblemWhateverTheClientAccepts() throws Exception {
        String auth = "Bearer " + server.adminToken();
        for (String accept : new String[] {"*/*", "application/json", "text/html"}) {
            HttpResponse<String> r = server.get("/api/v1/nothing-here", "Authorization", auth, "Accept", accept);
            assertEquals(404, r.statusCode(), accept + ": " + r.body());
            assertEquals(PROBLEM, contentType(r), "Accept " + accept);
            assertEquals("urn:switchboard:problem:not-found", json(r).path("type").asText(), "Accept " + accept);
        }
    }

    @Test
    void anUnknownPathOutsideTheApiIsNotTurnedIntoAProblem() {
        HttpResponse<String> r = server.get("/no-such-page");
        assertEquals(404, r.statusCode());
        assertNotEquals(PROBLEM, contentType(r));
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        HttpResponse<String> r = server.get("/api/v1/anything", "Authorization", "bearer " + server.adminToken());
        assertNotEquals(401, r.statusCode(), r.body());
    }

    @Test
    void healthAndReadinessNeedNoToken() {
        assertEquals(200, server.get("/health").statusCode());
        assertEquals(200, server.get("/ready").statusCode());
    }

    @Test
    void guessingTokensIsSlowedDownWhileTheRealTokenStillWorks() {
        try (TestServer own = TestServer.start()) {
            int throttled = 0;
            for (int i = 0; i < 40; i++) {
                int status = own.get("/api/v1/info", "Authorization", "Bearer guess-" + i + "-0123456789abcdef").statusCode();
                if (status == 429) throttled++;
            }
            org.junit.jupiter.api.Assertions.assertTrue(throttled > 0, "40 wrong tokens in a row must hit the limit");
            org.junit.jupiter.api.Assertions.assertEquals(200,
                    own.get("/api/v1/info", "Authorization", "Bearer " + own.adminToken()).statusCode());
        }
    }
}
