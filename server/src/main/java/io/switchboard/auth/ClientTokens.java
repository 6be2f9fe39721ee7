package io.switchboard.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.switchboard.chat.RoomNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

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
    /** The user id operator broadcasts are stored under ({@code "from": "system"}); no client may have it. */
    public static final String RESERVED_USER = "system";
    /** Lenient only about duplicate keys: tells a payload with duplicates (claims) from one that is no object. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** One compact-serialization segment: unpadded base64url (RFC 7515 2), nothing else. */
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    private final Algorithm algorithm;
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
     * {@value #MAX_USER_CHARS} characters and not the reserved {@value #RESERVED_USER} (in any case), {@code name} absent or 1 to {@value #MAX_NAME_CHARS} characters, neither
     * blank nor holding control characters or lone surrogates; {@code rooms} absent or at most
     * {@value #MAX_ROOM_PATTERNS} room names or prefixes ending in {@code *}.
     */
    public static String claimsProblem(String user, String name, List<String> rooms) {
        String problem = textProblem("sub (user)", user, MAX_USER_CHARS);
        if (problem != null) return problem;
        if (user.equalsIgnoreCase(RESERVED_USER)) {
            return "sub (user) '" + user + "' is reserved: operator broadcasts are stored as from \"" + RESERVED_USER + "\"";
        }
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
        String problem = textProblem(field, user, MAX_USER_CHARS);
        if (problem == null && user.equalsIgnoreCase(RESERVED_USER)) {
            problem = field + " '" + user + "' is reserved (operator broadcasts are stored as from \"" + RESERVED_USER + "\")";
        }
        return problem;
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

    /**
     * The verified principal, or the reason the token is refused. Never throws, whatever the token holds.
     *
     * <p>Checked in this order: the compact form (three unpadded base64url segments; header and payload JSON objects
     * without duplicate keys: {@code token_invalid}), the header ({@code alg} must be {@code HS256}:
     * {@code token_algorithm}; a {@code crit} header is never understood, so refused: {@code token_invalid}), the
     * signature ({@code token_signature}), then the claims: wrong type, missing, out of range or a reserved user id
     * ({@code token_claims}), {@code nbf}/{@code iat} later than now + leeway ({@code token_not_yet_valid}),
     * {@code exp} + leeway passed ({@code token_expired}).
     */
    public Result verify(String token) {
        if (token == null || token.isBlank()) return Result.rejected("token_missing", false);
        try {
            return verifyChecked(token);
        } catch (RuntimeException e) {
            // Belt and braces: whatever slipped through the checks below is an unacceptable token, never a 500.
            return Result.rejected("token_invalid", false);
        }
    }

    private Result verifyChecked(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !BASE64URL.matcher(parts[0]).matches() || !BASE64URL.matcher(parts[1]).matches()
                || !BASE64URL.matcher(parts[2]).matches()) {
            return invalid();
        }
        JsonNode header = strictObject(parts[0]);
        if (header == null) return invalid();
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !"HS256".equals(alg.asText())) return Result.rejected("token_algorithm", false);
        // RFC 7515 4.1.11: a recipient must refuse a token whose crit lists an extension it does not understand; this
        // server understands none, so any crit (even an empty or malformed one) is refused.
        if (header.has("crit")) return invalid();
        byte[] expected = algorithm.sign(parts[0].getBytes(StandardCharsets.US_ASCII), parts[1].getBytes(StandardCharsets.US_ASCII));
        if (!MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]))) {
            return Result.rejected("token_signature", false);
        }
        // Duplicate keys in a signed payload are refused, never resolved: "last key wins" would let a minting service
        // that checks the first "sub" sign a token for the second one.
        JsonNode payload = strictObject(parts[1]);
        if (payload == null) return payloadShape(parts[1]);
        return fromClaims(payload);
    }

    /** A signed payload that is not a JSON object without duplicate keys: claims if it is one with duplicates. */
    private static Result payloadShape(String segment) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(segment);
            JsonNode lenient = json.length > 0 && json[0] == '{' ? JSON.readTree(json) : null;
            return lenient != null && lenient.isObject() ? claims() : invalid();
        } catch (IOException | RuntimeException e) {
            return invalid();
        }
    }

    /**
     * The segment's JSON object, or null when it is not one, holds duplicate keys, has trailing content or does not
     * start with '{' itself (leading whitespace): every accepted segment then starts "e" plus one of w-z or 0-3, the
     * shape log redaction masks.
     */
    private static JsonNode strictObject(String segment) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(segment);
            if (json.length == 0 || json[0] != '{') return null;
            JsonNode node = STRICT_JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads the signed payload's claims with their exact JSON types: a number is not a string, {@code [{}]} no list. */
    private Result fromClaims(JsonNode payload) {
        JsonNode sub = payload.get("sub");
        JsonNode exp = payload.get("exp");
        JsonNode name = payload.get("name");
        JsonNode rooms = payload.get("rooms");
        if (sub == null || !sub.isTextual()) return claims();
        if (!isNumericDate(exp, true, 1)) return claims();
        if (!isNumericDate(payload.get("nbf"), false, 0) || !isNumericDate(payload.get("iat"), false, 0)) return claims();
        for (String text : List.of("iss", "jti")) {
            JsonNode v = payload.get(text);
            if (v != null && !v.isTextual()) return claims();
        }
        JsonNode aud = payload.get("aud");
        if (aud != null && !aud.isTextual()) {
            if (!aud.isArray()) return claims();
            for (JsonNode a : aud) if (!a.isTextual()) return claims();
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
        long now = clock.millis();
        for (String early : List.of("nbf", "iat")) {
            JsonNode v = payload.get(early);
            // Fractions are ignored (floored), like exp's; a token dated later than now + leeway is not valid yet.
            if (v != null && v.asLong() * 1000 - leewayMillis > now) return Result.rejected("token_not_yet_valid", false);
        }
        long expiresAt = exp.asLong() * 1000;
        long acceptedUntil = expiresAt + leewayMillis;
        if (now >= acceptedUntil) return Result.rejected("token_expired", true); // same rule as the heartbeat
        return new Result(new ClientPrincipal(sub.asText(), nameText, roomList == null ? null : List.copyOf(roomList),
                expiresAt, acceptedUntil), null);
    }

    /**
     * A NumericDate (RFC 7519): a JSON number of seconds, at least {@code min} and at most {@value #MAX_EXP_SECONDS}
     * (fractions allowed). Absent is fine unless required; null, strings, booleans, 1e300 or 30 digits are not.
     */
    private static boolean isNumericDate(JsonNode v, boolean required, long min) {
        if (v == null) return !required;
        if (!v.isNumber()) return false;
        java.math.BigDecimal d = v.decimalValue();
        return d.compareTo(java.math.BigDecimal.valueOf(min)) >= 0 && d.compareTo(java.math.BigDecimal.valueOf(MAX_EXP_SECONDS)) <= 0;
    }

    private static Result invalid() {
        return Result.rejected("token_invalid", false);
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
