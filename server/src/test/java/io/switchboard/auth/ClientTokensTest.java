package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import io.switchboard.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claim rules and the expiry leeway, on ClientTokens itself with a fixed clock (the end-to-end side is elsewhere). */
class ClientTokensTest {
    static final String SECRET = LeakGuard.register("unit-test-secret-0123456789abcdefghijklmnop");
    static final long NOW_S = 1_800_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW_S), ZoneOffset.UTC);
    static final ClientTokens TOKENS = new ClientTokens(SECRET, CLOCK, Duration.ofSeconds(5));

    /** A token signed with the right key over exactly this payload JSON (claims of any shape). */
    static String signed(String payloadJson) {
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = b64(payloadJson);
        byte[] sig = Algorithm.HMAC256(SECRET).sign(header.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII));
        return LeakGuard.register(header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static final String EXP = "\"exp\":" + (NOW_S + 600);

    /** Claims of every wrong shape, each as the rest of a payload that is otherwise fine. */
    static List<String> malformedClaims() {
        List<String> out = new ArrayList<>(List.of(
                "\"sub\":\"u\",\"rooms\":[{}]", "\"sub\":\"u\",\"rooms\":\"lobby\"", "\"sub\":\"u\",\"rooms\":5",
                "\"sub\":\"u\",\"rooms\":{}", "\"sub\":\"u\",\"rooms\":[1]", "\"sub\":\"u\",\"rooms\":[null]",
                "\"sub\":\"u\",\"rooms\":null", "\"sub\":\"u\",\"rooms\":[[\"a\"]]", "\"sub\":\"u\",\"rooms\":[\"bad room\"]",
                "\"sub\":\"u\",\"rooms\":[\"\"]", "\"sub\":\"u\",\"rooms\":[\"*x\"]", "\"sub\":\"u\",\"rooms\":[\"a**\"]",
                "\"sub\":\"u\",\"rooms\":[\"" + "r".repeat(65) + "\"]",
                "\"sub\":\"u\",\"rooms\":[" + String.join(",", Collections.nCopies(101, "\"a\"")) + "]",
                "\"sub\":\"u\",\"name\":5", "\"sub\":\"u\",\"name\":{}", "\"sub\":\"u\",\"name\":[\"x\"]",
                "\"sub\":\"u\",\"name\":true", "\"sub\":\"u\",\"name\":null", "\"sub\":\"u\",\"name\":\"  \"",
                "\"sub\":\"u\",\"name\":\"" + "n".repeat(129) + "\"", "\"sub\":\"u\",\"name\":\"" + "n".repeat(300) + "\"",
                "\"sub\":\"u\",\"name\":\"a\\u0000b\"", "\"sub\":\"u\",\"name\":\"line\\nbreak\"",
                "\"sub\":\"u\",\"name\":\"lone \\ud800 surrogate\"", "\"sub\":\"u\",\"name\":\"\\udc00\"",
                "\"sub\":5", "\"sub\":{}", "\"sub\":[\"u\"]", "\"sub\":true", "\"sub\":null", "\"sub\":\"\"",
                "\"sub\":\"   \"", "\"sub\":\"" + "s".repeat(129) + "\"", "\"sub\":\"a\\tb\"", "\"sub\":\"\\ud83d\""));
        return out;
    }

    @Test
    void aSignedTokenWithClaimsOfAWrongShapeIsRefusedAsTokenClaimsAndNeverThrows() {
        for (String claims : malformedClaims()) {
            ClientTokens.Result r = TOKENS.verify(signed("{" + claims + "," + EXP + "}"));
            assertNull(r.principal(), claims);
            assertEquals("token_claims", r.rejected().reason(), claims);
            assertFalse(r.rejected().expired(), claims);
        }
    }

    @Test
    void anExpOfAWrongShapeIsRefusedAndNeverThrows() {
        for (String exp : List.of("\"soon\"", "true", "null", "{}", "[1]", "1e300", "99999999999999999999999", "-5", "0",
                "253402300800", "\"" + (NOW_S + 600) + "\"")) {
            ClientTokens.Result r = TOKENS.verify(signed("{\"sub\":\"u\",\"exp\":" + exp + "}"));
            assertNull(r.principal(), exp);
            assertTrue(List.of("token_claims", "token_invalid", "token_expired").contains(r.rejected().reason()),
                    exp + " -> " + r.rejected());
        }
        for (String other : List.of("\"nbf\":\"x\"", "\"iat\":{}", "\"aud\":[{}]")) {
            ClientTokens.Result r = TOKENS.verify(signed("{\"sub\":\"u\"," + EXP + "," + other + "}"));
            assertNotNull(r.rejected(), other);
        }
    }

    @Test
    void wellFormedClaimsAreAccepted() {
        String name = "Ünïcödé 😀 " + "n".repeat(117); // 128 UTF-16 units, one surrogate pair
        assertEquals(128, name.length());
        ClientTokens.Result r = TOKENS.verify(signed("{\"sub\":\"" + "s".repeat(128) + "\",\"name\":\"" + name
                + "\",\"rooms\":[\"lobby\",\"team-*\",\"*\"," + String.join(",", Collections.nCopies(97, "\"a\"")) + "]," + EXP + "}"));
        assertNotNull(r.principal(), String.valueOf(r.rejected()));
        assertEquals(name, r.principal().name());
        assertEquals(100, r.principal().rooms().size());
        assertNotNull(TOKENS.verify(signed("{\"sub\":\"u\",\"rooms\":[]," + EXP + "}")).principal(), "an empty allow-list");
        assertNotNull(TOKENS.verify(signed("{\"sub\":\"u\",\"exp\":" + (NOW_S + 600) + ".5}")).principal(), "a fractional exp");
    }

    @Test
    void issuingRefusesEveryClaimThatVerifyingWouldRefuse() {
        Duration ttl = Duration.ofHours(1);
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, "n".repeat(129), null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, "bell\u0007", null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, "half \uD800", null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, " ", null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("s".repeat(129), ttl, null, null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("a\nb", ttl, null, null));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, null, List.of("not a room")));
        assertThrows(IllegalArgumentException.class, () -> TOKENS.issue("u", ttl, null, Collections.nCopies(101, "a")));
        String ok = LeakGuard.register(TOKENS.issue("u", ttl, "n".repeat(128), List.of("lobby", "team-*")));
        assertNotNull(TOKENS.verify(ok).principal());
    }

    @Test
    void aTokenIsAcceptedUntilExpPlusTheLeewayToTheMillisecondAtConnectAndByTheHeartbeatAlike() {
        long exp = NOW_S; // expired "now" by the fixed clock; 5 s leeway
        String token = signed("{\"sub\":\"u\",\"exp\":" + exp + "}");
        long boundary = (exp + 5) * 1000;
        ClientTokens justBefore = new ClientTokens(SECRET, Clock.fixed(Instant.ofEpochMilli(boundary - 1), ZoneOffset.UTC), Duration.ofSeconds(5));
        ClientTokens atBoundary = new ClientTokens(SECRET, Clock.fixed(Instant.ofEpochMilli(boundary), ZoneOffset.UTC), Duration.ofSeconds(5));
        ClientPrincipal p = justBefore.verify(token).principal();
        assertNotNull(p, "within the leeway at connect");
        assertEquals(exp * 1000, p.expiresAt());
        assertFalse(p.expired(boundary - 1), "the heartbeat keeps it within the leeway");
        assertTrue(p.expired(boundary), "the heartbeat closes it at exp + leeway");
        assertEquals(new TokenRejected("token_expired", true), atBoundary.verify(token).rejected(), "refused at exp + leeway");

        ClientTokens noLeeway = new ClientTokens(SECRET, Clock.fixed(Instant.ofEpochMilli(exp * 1000), ZoneOffset.UTC), Duration.ZERO);
        assertEquals("token_expired", noLeeway.verify(token).rejected().reason());
        assertThrows(IllegalArgumentException.class, () -> new ClientTokens(SECRET, CLOCK, Duration.ofMillis(1500)));
    }
}
