package io.switchboard.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finding and running the programs a fleet target needs besides Switchboard: PostgreSQL, {@code redis-server} and
 * HAProxy as installed by the system's packages. Nothing is downloaded: a missing program is an error that says
 * what to install.
 */
final class Tools {
    private Tools() {}

    /**
     * The first executable among {@code candidates}, else {@code name} found on {@code path} (a PATH value), else an
     * {@link IOException} saying what is missing and how to install it.
     */
    static Path find(String name, List<Path> candidates, String path, String install) throws IOException {
        for (Path c : candidates) if (Files.isRegularFile(c) && Files.isExecutable(c)) return c;
        if (path != null) {
            for (String d : path.split(":")) {
                if (d.isBlank()) continue;
                Path c = Path.of(d, name);
                if (Files.isRegularFile(c) && Files.isExecutable(c)) return c;
            }
        }
        throw new IOException(name + " not found (looked in " + candidates.stream().map(Path::toString).toList()
                + " and on PATH); install " + install);
    }

    /**
     * The {@code bin} directory of the newest PostgreSQL under {@code root} ({@code root/<version>/bin} holding
     * {@code pg_ctl} and {@code initdb}, as Debian installs it), else null.
     */
    static Path postgresBin(Path root) {
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Tools::versionOf)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** 15 for {@code .../15/bin}, 9.6 → 9; 0 when the directory name is not a number (sorted first). */
    private static int versionOf(Path bin) {
        String v = bin.getParent().getFileName().toString();
        try {
            return Integer.parseInt(v.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs a command to its end within {@code timeout}; its output on failure is in the exception. */
    static String run(Duration timeout, List<String> command) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        try {
            // Output is small (initdb, pg_ctl, createdb); read it after the exit, bounded by the timeout.
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted: " + String.join(" ", command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + tail(out, 800));
        }
        return out;
    }

    static String tail(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - max);
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code done} holds or {@code deadlineNanos} ({@link System#nanoTime()}) passes, checking every 10 ms:
     * for in-process counters the generator's I/O threads update (deliveries, seqs seen). Returns whether it holds.
     */
    static boolean pollUntil(long deadlineNanos, java.util.function.BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= deadlineNanos) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Waits until {@code port} accepts connections; fails early, with its log, if {@code process} exits. */
    static void awaitListening(String what, Process process, int port, Path log, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepting(port)) {
            if (!process.isAlive()) {
                throw new IOException(what + " exited (" + process.exitValue() + ") before listening on port " + port + ": " + logTail(log));
            }
            if (System.nanoTime() > deadline) throw new IOException(what + " did not listen on port " + port + " within " + timeout.toSeconds() + " s");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + ": interrupted");
            }
        }
    }

    static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGTERM, SIGKILL after {@code grace}; bounded in time either way. */
    static void stop(Process p, Duration grace) {
        if (p == null) return;
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        ServerProcess.untrack(p);
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
