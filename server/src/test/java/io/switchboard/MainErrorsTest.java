package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's failure paths in a real JVM: each one prints one clear line naming the problem, never a stack
 * trace, and exits non-zero (2 for a wrong command line or configuration, 1 for a command that could not be done).
 */
@Timeout(180)
class MainErrorsTest {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Runs the command in {@code workDir} and checks the one-line, no-stack-trace failure; returns that line. */
    private static String failsWithOneLine(Path workDir, int expectedExit, String... args) {
        try (SwitchboardProcess p = SwitchboardProcess.start(workDir, Map.of(), args)) {
            int exit = p.awaitExit(EXIT);
            String out = p.output();
            assertNotEquals(0, exit, out);
            assertEquals(expectedExit, exit, out);
            List<String> lines = p.lines().stream().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), "one line, not:\n" + out);
            assertFalse(out.contains("Exception") || out.contains("\tat "), "no stack trace:\n" + out);
            return lines.get(0);
        }
    }

    @Test
    void tokenOutsideADataDirSaysWhereItLookedAndHowToPointIt() {
        String line = failsWithOneLine(dir, 1, "token", "u");
        assertTrue(line.contains("no data dir at " + dir.resolve("data")), line);
        assertTrue(line.contains("--data-dir"), line);
        assertFalse(Files.exists(dir.resolve("data")), "nothing was created");
    }

    @Test
    void aBadAllowedOriginFailsBeforeTheDataDirOrDatabaseIsTouched() {
        Path data = dir.resolve("fresh-data");
        String line = failsWithOneLine(dir, 2, "serve", "--data-dir", data.toString(), "--port", "0",
                "--allowed-origins", "https://x.com:99999");
        assertTrue(line.contains("allowed.origins") && line.contains("https://x.com:99999"), line);
        assertFalse(Files.exists(data), "no data dir, no database was created or migrated");
    }

    @Test
    void tokenForTheReservedSystemUserIsRefusedBeforeReadingAnySecret() {
        String line = failsWithOneLine(dir, 2, "token", "system");
        assertTrue(line.contains("reserved"), line);
        assertFalse(Files.exists(dir.resolve("data")), "nothing was created");
    }

    @Test
    void tokenWithADataDirThatIsAFileSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        String line = failsWithOneLine(dir, 1, "token", "u", "--data-dir", file.toString());
        assertTrue(line.contains("data dir " + file + " is not a directory"), line);
    }

    @Test
    void tokenWithADataDirWhoseSecretCannotBeReadNamesTheFileAndWhy() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        // jwt.secret is a directory (owner-only, so no permission warning): unreadable whoever runs the test.
        Files.createDirectory(data.resolve("jwt.secret"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String line = failsWithOneLine(dir, 1, "token", "u", "--data-dir", data.toString());
        assertTrue(line.contains(data.resolve("jwt.secret") + ": Is a directory"), line);
    }

    @Test
    void tokenWithAnUnwritableDataDirNamesTheFileAndWhy() {
        // sysfs refuses new files even to root, so this holds whoever runs the test.
        Path readOnly = Path.of("/sys");
        Assumptions.assumeTrue(Files.isDirectory(readOnly) && !Files.exists(readOnly.resolve("jwt.secret")), "Linux sysfs");
        String line = failsWithOneLine(dir, 1, "token", "u", "--data-dir", readOnly.toString());
        assertTrue(line.contains("/sys/jwt.secret: permission denied"), line);
    }

    @Test
    void tokenWithBadFlagsSaysWhatIsWrong() {
        assertTrue(failsWithOneLine(dir, 2, "token", "u", "--ttl").contains("--ttl needs a value"));
        assertTrue(failsWithOneLine(dir, 2, "token", "u", "--ttl", "soon").contains("--ttl must be a duration"));
        assertTrue(failsWithOneLine(dir, 2, "token", "u", "--ttl", "0s").contains("--ttl must be a duration"));
        assertTrue(failsWithOneLine(dir, 2, "token", "u", "--bogus", "1").contains("--bogus"));
        assertTrue(failsWithOneLine(dir, 2, "token", "u", "v").contains("unexpected argument 'v'"));
    }

    @Test
    void tokenWithoutAUserShowsItsUsage() {
        assertTrue(failsWithOneLine(dir, 2, "token").contains("usage: token <user>"));
        assertTrue(failsWithOneLine(dir, 2, "token", "--name", "Alice").contains("usage: token <user>"));
    }

    @Test
    void serveWithABadConfigValueNamesTheKeyAndStartsNothing() {
        Path data = dir.resolve("data");
        assertTrue(failsWithOneLine(dir, 2, "serve", "--port", "70000", "--data-dir", data.toString()).contains("port"));
        assertTrue(failsWithOneLine(dir, 2, "serve", "--heartbeat-interval", "soon", "--data-dir", data.toString())
                .contains("heartbeat.interval"));
        assertTrue(failsWithOneLine(dir, 2, "serve", "--http-threads-min", "50", "--http-threads-max", "10",
                "--data-dir", data.toString()).contains("http.threads.min"));
        assertTrue(failsWithOneLine(dir, 2, "serve", "--ws-compression", "gzip", "--data-dir", data.toString())
                .contains("Invalid value for ws.compression"));
        assertFalse(Files.exists(data), "nothing was started");
    }

    @Test
    void serveWithAnUnusableDataDirSaysWhyInOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        String line = failsWithOneLine(dir, 1, "serve", "--port", "0", "--data-dir", file.resolve("sub").toString());
        assertTrue(line.contains("Start-up failed") && line.contains(file.resolve("sub").toString()), line);
    }

    @Test
    void anUnknownCommandSaysSo() {
        assertTrue(failsWithOneLine(dir, 2, "tokne", "u").contains("Unknown command 'tokne'"));
    }
}
