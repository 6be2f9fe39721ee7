package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for tests: a throw-away cluster made with Debian's {@code initdb} and started with
 * {@code pg_ctl} on a free loopback port, run as the {@code postgres} user (PostgreSQL refuses root). Missing
 * binaries skip the test locally and fail it under {@code CI=true}.
 */
public final class Postgres implements AutoCloseable {
    public static final String USER = "switchboard";

    private final Path dir;
    private final Path bin;
    private final int port;

    private Postgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    /** A cluster that skips fsync (fast; a PostgreSQL or OS crash may lose commits, which no test causes). */
    public static Postgres start() {
        return start(false);
    }

    /** A cluster with {@code fsync} on or off; {@code synchronous_commit} is PostgreSQL's default (on). */
    public static Postgres start(boolean fsync) {
        Path bin = binaries();
        try {
            Path dir = Files.createTempDirectory("switchboard-pg");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            run("chown", "-R", "postgres:postgres", dir.toString());
            Path data = dir.resolve("data");
            asPostgres(bin.resolve("initdb") + " -D " + data + " -A trust -U " + USER + " --no-sync -E UTF8 --locale=C.UTF-8");
            asPostgres(bin.resolve("pg_ctl") + " -w -t 30 -D " + data + " -l " + dir.resolve("log")
                    + " -o \"-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=" + (fsync ? "on" : "off") + "\" start");
            return new Postgres(dir, bin, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL", e);
        }
    }

    /** Stops the server at once (every session is cut, as when the database host goes away). */
    public void stop() {
        try {
            asPostgres(bin.resolve("pg_ctl") + " -w -t 30 -D " + dir.resolve("data") + " -m immediate stop");
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop PostgreSQL", e);
        }
    }

    /** Starts the server again on the same port and data after {@link #stop()}. */
    public void startAgain() {
        try {
            asPostgres(bin.resolve("pg_ctl") + " -w -t 30 -D " + dir.resolve("data") + " -l " + dir.resolve("log")
                    + " -o \"-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1\" start");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL again", e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.naturalOrder()).orElse(null);
            } catch (IOException e) {
                found = null;
            }
        }
        if (found == null) unavailable("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
        if (!"root".equals(System.getProperty("user.name"))) {
            unavailable("starting a throw-away PostgreSQL cluster needs root (it runs it as the postgres user)");
        }
        return found;
    }

    private static void unavailable(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
        Assumptions.assumeTrue(false, why);
    }

    private static void asPostgres(String command) throws IOException {
        run("runuser", "-u", "postgres", "--", "sh", "-c", command);
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
    }

    @Override
    public void close() {
        try {
            asPostgres(bin.resolve("pg_ctl") + " -w -t 30 -D " + dir.resolve("data") + " -m immediate stop");
        } catch (IOException e) {
            // the cluster lives in a temporary directory; a leftover process ends with the test JVM's machine
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
