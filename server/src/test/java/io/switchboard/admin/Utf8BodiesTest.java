package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JSON body whose bytes are not UTF-8 is not JSON: every route that reads a body answers 400 {@code bad-request}
 * and stores nothing, rather than storing U+FFFD where the bad bytes were.
 */
@Timeout(60)
class Utf8BodiesTest extends AdminApiTestBase {
    /** A UTF-8-encoded lone surrogate (U+D800), which no UTF-8 decoder may accept. */
    private static final byte[] SURROGATE = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};

    /** The parts one after the other: strings as UTF-8, byte arrays as they are. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            out.writeBytes(part instanceof byte[] raw ? raw : ((String) part).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static void assertNotUtf8(AdminClient.Reply reply) {
        JsonNode p = reply.problem(400);
        assertEquals("urn:switchboard:problem:bad-request", p.path("type").asText(), reply.body());
        assertEquals("the body is not valid UTF-8 JSON", p.path("detail").asText(), reply.body());
    }

    @Test
    void aBroadcastWithInvalidUtf8IsRefusedAndNothingIsStored() {
        api.post("/api/v1/rooms", AdminClient.json("room", "adm1")).expect(201);
        // The reviewer's body: a surrogate encoded as UTF-8, and a lead byte (C3) with no continuation byte.
        byte[] body = bytes("{\"room\":\"adm1\",\"text\":\"bad", SURROGATE, "bytes", new byte[] {(byte) 0xC3}, "\"}");
        assertNotUtf8(api.sendBytes("POST", "/api/v1/broadcast", body));

        JsonNode history = api.get("/api/v1/rooms/adm1/messages").expect(200);
        assertEquals(0, history.path("messages").size(), "nothing stored: " + history);
    }

    @Test
    void anEscapedLoneSurrogateIsValidJsonButNotValidTextAndIsRefusedNamingTheField() {
        api.post("/api/v1/rooms", AdminClient.json("room", "adm2")).expect(201);
        byte[] body = bytes("{\"room\":\"adm2\",\"text\":\"a\\ud800b\"}");
        JsonNode p = api.sendBytes("POST", "/api/v1/broadcast", body).problem(422);
        assertTrue(p.path("detail").asText().contains("'text'") && p.path("detail").asText().contains("lone surrogate"), p.toString());
        JsonNode history = api.get("/api/v1/rooms/adm2/messages").expect(200);
        assertEquals(0, history.path("messages").size(), "nothing stored: " + history);
    }

    @Test
    void aBanForAUserIdWithAnInvalidByteIsRefusedAndNoBanExists() {
        assertNotUtf8(api.sendBytes("POST", "/api/v1/bans", bytes("{\"user\":\"mallory", new byte[] {(byte) 0xFF}, "\"}")));
        assertNotUtf8(api.sendBytes("POST", "/api/v1/bans", bytes("{\"user\":\"mallory", SURROGATE, "\"}")));
        assertTrue(api.walk("/api/v1/bans", 50).stream().noneMatch(b -> b.path("user").asText().startsWith("mallory")),
                "no ban was stored");
    }

    @Test
    void everyRouteThatTakesABodyRefusesInvalidUtf8() {
        byte[] overlong = bytes("{\"room\":\"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"); // "/" encoded in 2 bytes
        assertNotUtf8(api.sendBytes("POST", "/api/v1/rooms", overlong));
        assertNotUtf8(api.sendBytes("POST", "/api/v1/tokens", bytes("{\"user\":\"t", SURROGATE, "\"}")));
        assertNotUtf8(api.sendBytes("POST", "/api/v1/users/someone/kick", bytes("{\"reason\":\"r", new byte[] {(byte) 0x80}, "\"}")));
        // Bytes outside any string are no JSON either, whatever a lenient decoder makes of them.
        assertNotUtf8(api.sendBytes("POST", "/api/v1/broadcast", bytes("{\"text\":\"x\"}", new byte[] {(byte) 0xFE}, "")));
    }

    @Test
    void validUtf8IncludingAstralCharactersIsStillAccepted() {
        api.post("/api/v1/rooms", AdminClient.json("room", "adm-ok")).expect(201);
        byte[] body = "{\"room\":\"adm-ok\",\"text\":\"gr\u00fc\u00df \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
        api.sendBytes("POST", "/api/v1/broadcast", body).expect(200);
        JsonNode messages = api.get("/api/v1/rooms/adm-ok/messages").expect(200).path("messages");
        assertEquals("gr\u00fc\u00df \ud83d\ude00", messages.path(0).path("text").asText(), messages.toString());
    }

    @Test
    void theConsoleSignInRefusesAnInvalidUtf8BodyBeforeLookingAtTheToken() throws Exception {
        byte[] body = bytes("{\"token\":\"" + server.adminToken(), new byte[] {(byte) 0xFF}, "\"}");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.http("/console/session"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(AdminClient.PROBLEM, r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertTrue(r.body().contains("the body is not valid UTF-8 JSON"), r.body());
        assertFalse(r.headers().firstValue("Set-Cookie").isPresent(), "no session: " + r.headers());
    }
}
