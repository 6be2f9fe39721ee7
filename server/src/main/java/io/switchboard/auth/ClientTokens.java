package io.switchboard.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.chat.RoomNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Issues and verifies client JWTs (HS256 only; {@code exp} required; {@code alg: none} and other algorithms fail).
 * Both directions apply the same claim rules ({@link #claimsProblem}), so the server never issues a token it would
 * refuse, and a signed token with claims of the wrong shape is refused with {@code token_claims}, never an error.
 */
public final class ClientTokens {
    /** Longest {@code sub} (user id), in UTF-16 code units; the database column holds 128 characters. */
    public static final int MAX_USER_CHARS = 128;
    /** Longest {@code name} (display name), in UTF-16 code units. */
    public static final int MAX_NAME_CHARS = 128;
    /** Most entries in the {@code rooms} claim. */
    public static final int MAX_ROOM_PATTERNS = 100;
    /** Latest {@code exp} accepted: 9999-12-31T23:59:59Z, in seconds. */
    static final long MAX_EXP_SECONDS = 253_402_300_799L;
    /** The leeway when none is configured ({@code jwt.leeway}'s default). */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(5);
    private static final String ISSUER = "switchboard";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;
    private final long leewayMillis;

    public ClientTokens(String secret, Clock clock) {
        this(secret, clock, DEFAULT_LEEWAY);
    }

    /**
     * @param leeway how long after its {@code exp} a token is still accepted (clock skew between the minting service
     *               and this server), in whole seconds; the same leeway applies to {@code nbf} and {@code iat}
     */
    public ClientTokens(String secret, Clock clock, Duration leeway) {
        if (leeway.isNegative() || leeway.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the JWT leeway must be whole seconds, at least 0");
        }
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
        this.leewayMillis = leeway.toMillis();
        // java-jwt refuses exp once floor(now in s) >= exp + leeway, i.e. now (ms) >= (exp + leeway) * 1000, which
        // is exactly ClientPrincipal.expired: connect and heartbeat agree to the millisecond.
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withClaimPresence("sub")
                .withClaimPresence("exp")
                .acceptLeeway(leeway.toSeconds()))
                .build(clock);
    }

    /**
     * Signs a token for {@code user}, valid for {@code ttl}.
     *
     * @param name  display name, or null for none
     * @param rooms allow-list of room patterns, or null for every room
     * @throws IllegalArgumentException naming the claim when the claims break a rule that {@link #verify} enforces
     */
    public String issue(String user, Duration ttl, String name, List<String> rooms) {
        String problem = claimsProblem(user, name, rooms);
        if (problem != null) throw new IllegalArgumentException(problem);
        Instant now = clock.instant();
        JWTCreator.Builder b = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(user)
                .withIssuedAt(Date.from(now))
                .withExpiresAt(Date.from(now.plus(ttl)));
        if (name != null) b.withClaim("name", name);
        if (rooms != null) b.withClaim("rooms", rooms);
        return b.sign(algorithm);
    }

    /**
     * Why these claims are refused (a sentence naming the claim), or null when they are acceptable: {@code sub} 1 to
     * {@value #MAX_USER_CHARS} characters, {@code name} absent or 1 to {@value #MAX_NAME_CHARS} characters, neither
     * blank nor holding control characters or lone surrogates; {@code rooms} absent or at most
     * {@value #MAX_ROOM_PATTERNS} room names or prefixes ending in {@code *}.
     */
    public static String claimsProblem(String user, String name, List<String> rooms) {
        String problem = textProblem("sub (user)", user, MAX_USER_CHARS);
        if (problem != null) return problem;
        if (name != null && (problem = textProblem("name", name, MAX_NAME_CHARS)) != null) return problem;
        if (rooms != null) {
            if (rooms.size() > MAX_ROOM_PATTERNS) return "rooms must have at most " + MAX_ROOM_PATTERNS + " entries";
            for (String r : rooms) {
                if (!RoomNames.isValidPattern(r)) {
                    return "rooms entries must be room names (1 to " + RoomNames.MAX_CHARS
                            + " letters, digits or _.:@#-, starting with a letter or digit) or such a prefix followed by *";
                }
            }
        }
        return null;
    }

    /**
     * Why {@code user} cannot be a user id (a sentence naming {@code field}), or null: the rule of the {@code sub}
     * claim, applied wherever a user id enters (a DM's {@code to}, admin routes), so that nothing is stored for a
     * user no token could ever name.
     */
    public static String userIdProblem(String field, String user) {
        return textProblem(field, user, MAX_USER_CHARS);
    }

    private static String textProblem(String what, String s, int max) {
        if (s == null || s.isBlank()) return what + " must not be empty";
        if (s.length() > max) return what + " must be at most " + max + " characters";
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isISOControl(ch)) return what + " must not contain control characters";
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return what + " must not contain lone surrogates (invalid Unicode)";
            }
        }
        return null;
    }

    /** The verified principal, or the reason the token is refused. Never throws, whatever the token holds. */
    public Result verify(String token) {
        if (token == null || token.isBlank()) return Result.rejected("token_missing", false);
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            return Result.rejected("token_expired", true);
        } catch (AlgorithmMismatchException e) {
            return Result.rejected("token_algorithm", false);
        } catch (SignatureVerificationException e) {
            return Result.rejected("token_signature", false);
        } catch (RuntimeException e) {
            // RuntimeException: java-jwt lets some odd inputs through as other exceptions (an exp past year
            // 1,000,000,000 is a DateTimeException); every one of them is an unacceptable token, never a 500.
            return Result.rejected("token_invalid", false);
        }
        try {
            return fromClaims(JSON.readTree(Base64.getUrlDecoder().decode(jwt.getPayload())));
        } catch (IOException | RuntimeException e) {
            return Result.rejected("token_claims", false);
        }
    }

    /** Reads the signed payload's claims with their exact JSON types: a number is not a string, {@code [{}]} no list. */
    private Result fromClaims(JsonNode payload) {
        JsonNode sub = payload.get("sub");
        JsonNode exp = payload.get("exp");
        JsonNode name = payload.get("name");
        JsonNode rooms = payload.get("rooms");
        if (sub == null || !sub.isTextual()) return claims();
        if (exp == null || !exp.isNumber() || !exp.canConvertToLong()
                || exp.asLong() <= 0 || exp.asLong() > MAX_EXP_SECONDS) {
            return claims();
        }
        if (name != null && !name.isTextual()) return claims();
        List<String> roomList = null;
        if (rooms != null) {
            // Checked before copying, so that a huge array costs no more than its first entries.
            if (!rooms.isArray() || rooms.size() > MAX_ROOM_PATTERNS) return claims();
            roomList = new ArrayList<>(rooms.size());
            for (JsonNode r : rooms) {
                if (!r.isTextual()) return claims();
                roomList.add(r.asText());
            }
        }
        String nameText = name == null ? null : name.asText();
        if (claimsProblem(sub.asText(), nameText, roomList) != null) return claims();
        long expiresAt = exp.asLong() * 1000;
        long acceptedUntil = expiresAt + leewayMillis;
        if (clock.millis() >= acceptedUntil) return Result.rejected("token_expired", true); // same rule as the heartbeat
        return new Result(new ClientPrincipal(sub.asText(), nameText, roomList == null ? null : List.copyOf(roomList),
                expiresAt, acceptedUntil), null);
    }

    private static Result claims() {
        return Result.rejected("token_claims", false);
    }

    /** The leeway after {@code exp}, in milliseconds. */
    public long leewayMillis() {
        return leewayMillis;
    }

    /** Either a principal or a rejection. */
    public record Result(ClientPrincipal principal, TokenRejected rejected) {
        /** A refusal with a close reason token ({@code token_*}); {@code expired}: a fresh token would help. */
        public static Result rejected(String reason, boolean expired) {
            return new Result(null, new TokenRejected(reason, expired));
        }
    }
}
