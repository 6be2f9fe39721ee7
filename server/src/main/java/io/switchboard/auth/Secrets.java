package io.switchboard.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets that may come from configuration or, when unset, are generated once and kept in an owner-only file in
 * the data dir. Values are never logged; only the file location is.
 */
public final class Secrets {
    private static final Logger log = LoggerFactory.getLogger(Secrets.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private Secrets() {}

    /** A URL-safe random string carrying {@code bytes} bytes of entropy. */
    public static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The configured value, or the content of {@code dataDir/fileName}, created with a fresh random value and
     * owner-only permissions when absent.
     */
    public static String configuredOrStored(String configured, Path dataDir, String fileName, String what) {
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        Path file = dataDir.resolve(fileName);
        try {
            if (Files.exists(file)) {
                tightenPermissions(file);
                String value = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (value.isEmpty()) throw new IllegalStateException(what + " file " + file + " is empty");
                log.info("{} read from {}", what, file.toAbsolutePath());
                return value;
            }
            String value = random(32);
            create(file, value);
            log.info("{} generated and stored in {} (owner-only); it is not printed here", what, file.toAbsolutePath());
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + what + " file " + file, e);
        }
    }

    private static void create(Path file, String value) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // non-POSIX file system: rely on the directory's protection
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Secret file " + file + " appeared while creating it", e);
        }
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
    }

    private static void tightenPermissions(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                log.warn("Permissions of {} were {}; reset to owner-only", file, PosixFilePermissions.toString(perms));
            }
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }
}
