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

    /** A token with this header JSON over this payload JSON, signed with the right key. */
    static String signed(String headerJson, String payloadJson) {
        String header = b64(headerJson);
        String payload = b64(payloadJson);
        byte[] sig = Algorithm.HMAC256(SECRET).sign(header.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII));
        return LeakGuard.register(header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
    }

    private static String reason(String token) {
        ClientTokens.Result r = TOKENS.verify(token);
        assertNull(r.principal(), token);
        return r.rejected().reason();
    }

    @Test
    void everySignedTokenWhoseRegisteredClaimsAreMissingOfAWrongTypeOrOutOfRangeIsTokenClaims() {
        for (String exp : List.of("\"soon\"", "true", "null", "{}", "[1]", "1e300", "99999999999999999999999",
                "123456789012345678901234567890", "-5", "0", "253402300800", "\"" + (NOW_S + 600) + "\"", "\"123\"")) {
            assertEquals("token_claims", reason(signed("{\"sub\":\"u\",\"exp\":" + exp + "}")), "exp " + exp);
        }
        assertEquals("token_claims", reason(signed("{\"sub\":\"u\"}")), "no exp");
        assertEquals("token_claims", reason(signed("{" + EXP + "}")), "no sub");
        assertEquals("token_claims", reason(signed("{}")), "nothing at all");
        for (String other : List.of("\"nbf\":\"x\"", "\"nbf\":null", "\"nbf\":-1", "\"nbf\":1e300", "\"iat\":{}",
                "\"iat\":true", "\"aud\":[{}]", "\"aud\":5", "\"iss\":7", "\"jti\":[]")) {
            assertEquals("token_claims", reason(signed("{\"sub\":\"u\"," + EXP + "," + other + "}")), other);
        }
        assertNotNull(TOKENS.verify(signed("{\"sub\":\"u\"," + EXP + ",\"aud\":[\"a\",\"b\"],\"iss\":\"x\",\"jti\":\"j\","
                + "\"nbf\":" + NOW_S + ",\"iat\":" + NOW_S + ",\"extra\":{\"any\":[1]}}")).principal(), "well-typed extras");
    }

    @Test
    void nbfOrIatLaterThanNowPlusTheLeewayIsNotYetValid() {
        for (String early : List.of("nbf", "iat")) {
            assertNotNull(TOKENS.verify(signed("{\"sub\":\"u\"," + EXP + ",\"" + early + "\":" + (NOW_S + 5) + "}")).principal(),
                    early + " within the leeway");
            ClientTokens.Result r = TOKENS.verify(signed("{\"sub\":\"u\"," + EXP + ",\"" + early + "\":" + (NOW_S + 6) + "}"));
            assertEquals(new TokenRejected("token_not_yet_valid", false), r.rejected(), early);
        }
    }

    @Test
    void duplicateKeysInTheHeaderOrThePayloadAreRefusedNeverResolved() {
        String dupSub = "{\"sub\":\"u\"," + EXP + ",\"sub\":\"admin\"}";
        assertEquals("token_claims", reason(signed(dupSub)), "last key must not win");
        assertEquals("token_claims", reason(signed("{\"sub\":\"u\"," + EXP + "," + EXP + "}")));
        assertEquals("token_claims", reason(signed("{\"sub\":\"u\"," + EXP + ",\"x\":{\"a\":1,\"a\":2}}")), "nested too");
        assertEquals("token_invalid", reason(signed("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", "{\"sub\":\"u\"," + EXP + "}")));
        assertEquals("token_invalid", reason(signed("{\"alg\":\"none\",\"alg\":\"HS256\"}", "{\"sub\":\"u\"," + EXP + "}")));
    }

    @Test
    void aCritHeaderIsRefusedBecauseNoExtensionIsUnderstood() {
        String payload = "{\"sub\":\"u\"," + EXP + "}";
        assertNotNull(TOKENS.verify(signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload)).principal(), "the control");
        for (String crit : List.of("[\"exp\"]", "[\"b64\"]", "[]", "null", "\"x\"")) {
            assertEquals("token_invalid", reason(signed("{\"alg\":\"HS256\",\"crit\":" + crit + ",\"b64\":true}", payload)), crit);
        }
    }

    @Test
    void onlyTheCompactFormWithJsonObjectsIsAccepted() {
        String payload = "{\"sub\":\"u\"," + EXP + "}";
        String ok = signed(payload);
        assertEquals("token_invalid", reason(ok + "."), "four segments");
        assertEquals("token_invalid", reason(ok.substring(0, ok.lastIndexOf('.'))), "two segments");
        String[] p = ok.split("\\.");
        assertEquals("token_invalid", reason(p[0] + "=." + p[1] + "." + p[2]), "padding");
        assertEquals("token_invalid", reason(signed(" {\"alg\":\"HS256\"}", payload)), "leading whitespace in the header");
        assertEquals("token_invalid", reason(signed("\n" + payload)), "leading whitespace in the payload");
        assertEquals("token_invalid", reason(signed("[1]")), "a payload that is no object");
        assertEquals("token_invalid", reason(signed(payload + "{}")), "trailing content");
        assertEquals("token_algorithm", reason(signed("{\"alg\":\"HS512\"}", payload)));
        assertEquals("token_algorithm", reason(signed("{\"typ\":\"JWT\"}", payload)));
        assertEquals("token_signature", reason(p[0] + "." + p[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])));
    }

    @Test
    void theReservedUserSystemIsRefusedWhenVerifyingAndWhenIssuing() {
        for (String user : List.of("system", "System", "SYSTEM")) {
            assertEquals("token_claims", reason(signed("{\"sub\":\"" + user + "\"," + EXP + "}")), user);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TOKENS.issue(user, Duration.ofHours(1), null, null));
            assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        }
        assertNotNull(TOKENS.verify(signed("{\"sub\":\"systems\"," + EXP + "}")).principal(), "only the exact id");
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
