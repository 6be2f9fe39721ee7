package io.switchboard.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Issues and verifies client JWTs (HS256 only; {@code exp} required; {@code alg: none} and other algorithms fail). */
public final class ClientTokens {
    public static final int MAX_USER_CHARS = 128;
    private static final String ISSUER = "switchboard";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;

    public ClientTokens(String secret, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
        this.verifier = JWT.require(algorithm)
                .withClaimPresence("sub")
                .withClaimPresence("exp")
                .acceptLeeway(5)
                .build();
    }

    public String issue(String user, Duration ttl, String name, List<String> rooms) {
        if (user == null || user.isBlank() || user.length() > MAX_USER_CHARS) {
            throw new IllegalArgumentException("user must be 1 to " + MAX_USER_CHARS + " characters");
        }
        Instant now = clock.instant();
        JWTCreator.Builder b = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(user)
                .withIssuedAt(Date.from(now))
                .withExpiresAt(Date.from(now.plus(ttl)));
        if (name != null && !name.isBlank()) b.withClaim("name", name);
        if (rooms != null) b.withClaim("rooms", rooms);
        return b.sign(algorithm);
    }

    /** The verified principal, or the reason the token is refused. */
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
        } catch (JWTVerificationException e) {
            return Result.rejected("token_invalid", false);
        }
        String user = jwt.getSubject();
        if (user == null || user.isBlank() || user.length() > MAX_USER_CHARS) return Result.rejected("token_invalid", false);
        Claim nameClaim = jwt.getClaim("name");
        String name = nameClaim.isMissing() || nameClaim.isNull() ? null : nameClaim.asString();
        Claim roomsClaim = jwt.getClaim("rooms");
        List<String> rooms = null;
        if (!roomsClaim.isMissing() && !roomsClaim.isNull()) {
            rooms = roomsClaim.asList(String.class);
            if (rooms == null) return Result.rejected("token_invalid", false);
        }
        return new Result(new ClientPrincipal(user, name, rooms == null ? null : List.copyOf(rooms),
                jwt.getExpiresAtAsInstant().toEpochMilli()), null);
    }

    /** Either a principal or a rejection. */
    public record Result(ClientPrincipal principal, TokenRejected rejected) {
        static Result rejected(String reason, boolean expired) {
            return new Result(null, new TokenRejected(reason, expired));
        }
    }
}
