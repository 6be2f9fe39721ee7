package io.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Output of processes the tests start (Redis, nodes, the load balancer), kept in {@code target/test-logs}. */
public final class TestLogs {
    private static final Path DIR = Path.of("target", "test-logs");

    private TestLogs() {}

    /** A fresh (truncated) log file named {@code name} in {@code target/test-logs}. */
    public static Path file(String name) {
        try {
            Files.createDirectories(DIR);
            Path f = DIR.resolve(name);
            Files.deleteIfExists(f);
            Files.createFile(f);
            return f.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of a log, for a failure message. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The polling interval of start-up loops (not a wait for a condition: the caller checks one each round). */
    static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
