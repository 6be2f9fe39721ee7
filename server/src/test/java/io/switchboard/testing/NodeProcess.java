package io.switchboard.testing;

import io.switchboard.SwitchboardProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One Switchboard node as its own JVM ({@code io.switchboard.Main serve} on the test class path), for tests of
 * several nodes and of crashes. Its port is chosen before it starts and kept across {@link #restart()} (a load
 * balancer in front knows it), as is its data dir. Settings are passed as flags, secrets in the environment (never on
 * a command line others can read) and registered with {@link LeakGuard}. Output goes to {@code
 * target/test-logs/node-<name>-<port>.log} and stays readable in memory ({@link #output()}, {@link #awaitLine}).
 *
 * <pre>{@code
 * try (NodeProcess node = NodeProcess.builder("n1")
 *         .set("db.url", pg.jdbcUrl()).set("db.user", Postgres.USER).set("redis.url", redis.url())
 *         .secret("jwt.secret", secret).secret("admin.token", adminToken)
 *         .start()) {
 *     node.awaitReady(Duration.ofSeconds(60));
 *     node.get("/api/v1/info", "Authorization", "Bearer " + adminToken);
 *     assertEquals(137, node.kill());  // SIGKILL
 *     node.restart().awaitReady(Duration.ofSeconds(60));
 *     node.terminate();                // SIGTERM
 *     assertEquals(0, node.awaitExit(Duration.ofSeconds(30)));
 * }
 * }</pre>
 */
public final class NodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A small heap and the serial collector: several nodes share a small machine with the test JVM. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    private final String name;
    private final int port;
    private final Path dataDir;
    private final boolean ownDataDir;
    private final Map<String, String> settings;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final Path logFile;
    private SwitchboardProcess process;
    private int starts;

    private NodeProcess(Builder b) {
        this.name = b.name;
        this.port = b.port != 0 ? b.port : Ports.free();
        try {
            this.ownDataDir = b.dataDir == null;
            this.dataDir = ownDataDir ? Files.createTempDirectory("switchboard-node-" + b.name) : b.dataDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.settings = new LinkedHashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("node.id", b.name);
        // A short drain by default, so that a SIGTERM in a test ends in seconds (tests of the drain set their own).
        settings.put("drain.delay", "1s");
        settings.put("drain.window", "2s");
        settings.put("shutdown.grace", "10s");
        settings.putAll(b.settings);
        settings.put("port", String.valueOf(port));
        settings.put("data.dir", dataDir.toString());
        this.env = new LinkedHashMap<>();
        b.secrets.forEach((k, v) -> env.put("SWITCHBOARD_" + k.replace('.', '_').toUpperCase(java.util.Locale.ROOT), v));
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.logFile = TestLogs.file("node-" + b.name + "-" + port + ".log");
    }

    /** A node named {@code name} (also its {@code node.id} unless set otherwise). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** What a node is started with. */
    public static final class Builder {
        private final String name;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, String> secrets = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>(DEFAULT_JVM_ARGS);
        private int port;
        private Path dataDir;

        private Builder(String name) {
            this.name = name;
        }

        /** A setting by its key name ({@code redis.url}); passed as {@code --redis-url value}. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** Every entry as {@link #set}. */
        public Builder set(Map<String, String> more) {
            settings.putAll(more);
            return this;
        }

        /** A secret by key name ({@code jwt.secret}); passed in the environment and registered with LeakGuard. */
        public Builder secret(String key, String value) {
            secrets.put(key, LeakGuard.register(value));
            return this;
        }

        /** The HTTP port (default: a free one, chosen now and kept across restarts). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The data dir (default: a fresh temporary one, deleted on close). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Replaces the JVM options (default {@link #DEFAULT_JVM_ARGS}). */
        public Builder jvmArgs(List<String> args) {
            jvmArgs.clear();
            jvmArgs.addAll(args);
            return this;
        }

        /** Builds the node without starting it. */
        public NodeProcess build() {
            return new NodeProcess(this);
        }

        /** Starts the JVM and returns at once (see {@link NodeProcess#awaitReady}). */
        public NodeProcess start() {
            return build().launch();
        }
    }

    private NodeProcess launch() {
        if (process != null && process.isAlive()) throw new IllegalStateException("node " + name + " is running");
        List<String> args = new ArrayList<>(List.of("serve"));
        settings.forEach((k, v) -> {
            args.add("--" + k.replace('.', '-'));
            args.add(v);
        });
        starts++;
        try {
            Files.writeString(logFile, "---- start " + starts + ": " + String.join(" ", args) + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = SwitchboardProcess.start(null, env, jvmArgs, logFile, args.toArray(String[]::new));
        return this;
    }

    /** Starts the node again (same port, data dir and settings) after it exited or was killed. */
    public NodeProcess restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + name + " is still running; kill() or terminate() it first");
        }
        return launch();
    }

    /** Waits until {@code GET /ready} answers 200; fails at once, with the node's output, if it exits. */
    public NodeProcess awaitReady(Duration timeout) {
        Await.until("node " + name + " ready on port " + port, timeout, () -> {
            if (!process.isAlive()) throw new AssertionError("node " + name + " exited:\n" + tail());
            return readyStatus() == 200;
        });
        return this;
    }

    /** Waits until the node listens (its start-up log line), ready or not. */
    public NodeProcess awaitListening(Duration timeout) {
        process.awaitLine("listening on", timeout);
        return this;
    }

    /** The status of {@code GET /ready} now, or -1 when nothing answers. */
    public int readyStatus() {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri("/ready")).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@code GET path} on this node with header name/value pairs; Authorization values are registered as secrets. */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) b.headers(headers);
        for (int i = 1; i < headers.length; i += 2) {
            if (headers[i - 1].equalsIgnoreCase("Authorization")) LeakGuard.register(WsClient.credentialOf(headers[i]));
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code ws://127.0.0.1:<port>/ws?token=<token>}. */
    public URI ws(String token) {
        return URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token);
    }

    public String name() {
        return name;
    }

    /** The configured {@code node.id} (the name unless set otherwise). */
    public String nodeId() {
        return settings.get("node.id");
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL; returns the exit code (137). */
    public int kill() {
        return process.kill(Duration.ofSeconds(30));
    }

    /** SIGTERM (graceful stop); see {@link #awaitExit}. */
    public void terminate() {
        process.terminate();
    }

    /** The exit code, waiting up to {@code timeout}. */
    public int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** The first output line of the current run containing {@code text}, waiting up to {@code timeout}. */
    public String awaitLine(String text, Duration timeout) {
        return process.awaitLine(text, timeout);
    }

    /** Everything the current run printed. */
    public String output() {
        return process.output();
    }

    private String tail() {
        List<String> lines = process.lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Kills the node if it runs and deletes a data dir it made. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) process.kill(Duration.ofSeconds(30));
        if (!ownDataDir) return;
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
    }
}
