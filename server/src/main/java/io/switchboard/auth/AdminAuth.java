package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Named admin tokens with roles. Tokens are compared as SHA-256 digests in constant time. */
public final class AdminAuth {

    /** What an admin may do: viewers read, operators also act. */
    public enum Role {
        VIEWER, OPERATOR;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A named admin token; the name is what the audit log records. */
    public record Admin(String name, Role role) {}

    private record Entry(Admin admin, byte[] digest) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Adds a token; names must be unique, tokens at least 16 characters. */
    public AdminAuth add(String name, Role role, String token) {
        if (token == null || token.length() < 16) throw new IllegalArgumentException("admin token '" + name + "' is shorter than 16 characters");
        for (Entry e : entries) {
            if (e.admin.name().equals(name)) throw new IllegalArgumentException("admin token name '" + name + "' is used twice");
        }
        entries.add(new Entry(new Admin(name, role), digest(token)));
        return this;
    }

    /**
     * Parses {@code name:role:token} entries separated by commas (the {@code admin.tokens} setting).
     * Roles are {@code viewer} and {@code operator}.
     */
    public AdminAuth addAll(List<String> specs) {
        for (String spec : specs) {
            String[] parts = spec.split(":", 3);
            if (parts.length != 3 || parts[0].isBlank()) {
                throw new IllegalArgumentException("admin.tokens entries are name:role:token");
            }
            Role role;
            try {
                role = Role.valueOf(parts[1].trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("admin.tokens: role of '" + parts[0] + "' must be viewer or operator");
            }
            add(parts[0].trim(), role, parts[2].trim());
        }
        return this;
    }

    /** The admin owning the bearer token in this Authorization header value, if any. */
    public Optional<Admin> authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return authenticateToken(authorizationHeader.substring(7).trim());
    }

    public Optional<Admin> authenticateToken(String token) {
        byte[] presented = digest(token);
        Admin found = null;
        for (Entry e : entries) { // no early exit: every token is compared
            if (MessageDigest.isEqual(e.digest, presented)) found = e.admin;
        }
        return Optional.ofNullable(found);
    }

    /** The admin with this token name, if it is still configured. */
    public Optional<Admin> byName(String name) {
        return entries.stream().map(Entry::admin).filter(a -> a.name().equals(name)).findFirst();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
