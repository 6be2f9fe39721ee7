package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/** Admin API tokens. Tokens are compared as SHA-256 digests in constant time, so timing reveals nothing. */
public final class AdminAuth {

    /** A named admin token; the name is what the audit log records. */
    public record Admin(String name, String role) {}

    private record Entry(Admin admin, byte[] digest) {}

    private final List<Entry> entries;

    public AdminAuth(List<Admin> admins, List<String> tokens) {
        if (admins.size() != tokens.size()) throw new IllegalArgumentException("one token per admin");
        this.entries = java.util.stream.IntStream.range(0, admins.size())
                .mapToObj(i -> new Entry(admins.get(i), digest(tokens.get(i)))).toList();
    }

    /** The admin owning the bearer token in this Authorization header value, if any. */
    public Optional<Admin> authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = digest(authorizationHeader.substring(7).trim());
        Admin found = null;
        for (Entry e : entries) { // no early exit: every token is compared
            if (MessageDigest.isEqual(e.digest, presented)) found = e.admin;
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
