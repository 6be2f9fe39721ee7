package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for tests on a free loopback port, without persistence ({@code --save ''
 * --appendonly no}), run in the foreground as this JVM's child so that the test owns it: {@link #stop()} (SIGTERM),
 * {@link #kill()} (SIGKILL) and {@link #restart()} on the same port. Its log goes to {@code target/test-logs}. A
 * missing {@code redis-server} skips the test locally and fails it under {@code CI=true}.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     String url = redis.url();            // redis://127.0.0.1:<port>
 *     redis.cli("CLIENT", "PAUSE", "3000"); // any command, through redis-cli
 *     redis.restart();
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(20);

    private final int port;
    private final List<String> extraArgs;
    private final Path dir;
    private final Path log;
    private String cliUser;
    private String cliPassword;
    private Process process;

    private RedisServer(int port, List<String> extraArgs, Path dir, Path log) {
        this.port = port;
        this.extraArgs = extraArgs;
        this.dir = dir;
        this.log = log;
    }

    /** Starts a server on a free port. */
    public static RedisServer start() {
        return start(List.of());
    }

    /**
     * Starts a server with extra {@code redis-server} arguments, e.g. {@code List.of("--requirepass", pw)} or an ACL
     * user: {@code List.of("--user", "app on >pw ~* &* +@all")}.
     */
    public static RedisServer start(List<String> extraArgs) {
        return startOn(Ports.free(), extraArgs);
    }

    /** Starts a server on a given port (e.g. one a node was told about before Redis existed). */
    public static RedisServer startOn(int port, List<String> extraArgs) {
        String binary = binary();
        try {
            Path dir = Files.createTempDirectory("switchboard-redis");
            Path log = TestLogs.file("redis-" + port + ".log");
            RedisServer r = new RedisServer(port, List.copyOf(extraArgs), dir, log);
            r.launch(binary);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Missing binaries skip locally and fail under CI=true (a CI machine must not pass by running nothing). */
    private static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        String why = "redis-server not found (apt-get install redis-server)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why + "; CI=true, so a missing Redis is an error");
        Assumptions.abort(why + "; skipped because CI is not \"true\"");
        return null;
    }

    private void launch(String binary) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--protected-mode", "no"));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START.toNanos();
        while (!Ports.accepting(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited (" + process.exitValue() + ") on port " + port
                        + "; log " + log + ":\n" + TestLogs.tail(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not listen on port " + port + " within " + START);
            }
            TestLogs.pause();
        }
    }

    /** {@code redis://127.0.0.1:<port>} (no credentials). */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Credentials {@link #cli} uses (a server started with {@code --requirepass} or ACL users). */
    public RedisServer cliAuth(String user, String password) {
        this.cliUser = user;
        this.cliPassword = password;
        return this;
    }

    /**
     * Runs one command with {@code redis-cli} against this server and returns its output (trimmed), e.g.
     * {@code cli("CLIENT", "KILL", "TYPE", "pubsub")}.
     */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        if (cliUser != null) command.addAll(List.of("--user", cliUser));
        if (cliPassword != null) command.addAll(List.of("--pass", cliPassword, "--no-auth-warning"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli " + String.join(" ", args) + " timed out");
            }
            return new String(p.getInputStream().readAllBytes()).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM and wait for the exit (without persistence Redis exits at once). */
    public void stop() {
        if (process == null) return;
        process.destroy();
        waitForExit();
    }

    /** SIGKILL: Redis dies with every connection reset. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        waitForExit();
    }

    /** Stops (if running) and starts again on the same port with the same arguments; the data is gone. */
    public void restart() {
        stop();
        try {
            launch(binary());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts again after {@link #stop()} or {@link #kill()}, on the same port. */
    public void startAgain() {
        if (isRunning()) throw new IllegalStateException("redis-server is still running on port " + port);
        try {
            launch(binary());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
    }
}
