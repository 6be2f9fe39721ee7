package io.switchboard.testing;

import io.switchboard.SwitchboardServer;
import io.switchboard.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real Switchboard on an ephemeral port with its own temporary data dir. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dataDir;
    private final Map<String, String> settings;
    private SwitchboardServer server;

    private TestServer(Path dataDir, Map<String, String> settings) {
        this.dataDir = dataDir;
        this.settings = settings;
    }

    public static TestServer start(Map<String, String> overrides) {
        try {
            return start(Files.createTempDirectory("switchboard-test"), overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start() {
        return start(Map.of());
    }

    /** Starts on the given data dir; a second server on the same dir sees the first one's data after a restart. */
    public static TestServer start(Path dataDir, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("port", "0");
        settings.put("host", "127.0.0.1");
        settings.put("data.dir", dataDir.toString());
        settings.put("shutdown.grace", "5s");
        // Tests stop with stop(), which does not drain; a test of the drain sets its own delay and window.
        settings.put("drain.delay", "0");
        settings.put("drain.window", "0");
        settings.putAll(overrides);
        TestServer t = new TestServer(dataDir, settings);
        registerConfiguredSecrets(settings);
        t.server = SwitchboardServer.create(Config.of(settings)).start();
        t.registerStoredSecrets();
        return t;
    }

    /** Every secret a test configures must never reach a log line (see {@link LeakGuard}). */
    private static void registerConfiguredSecrets(Map<String, String> settings) {
        for (String key : List.of("admin.token", "jwt.secret", "metrics.token", "db.password", "redis.password")) {
            LeakGuard.register(settings.get(key));
        }
        String named = settings.get("admin.tokens");
        if (named != null) {
            for (String entry : named.split(",")) LeakGuard.register(entry.substring(entry.lastIndexOf(':') + 1).trim());
        }
    }

    /** The secrets the server generated into its data dir. */
    private void registerStoredSecrets() {
        for (String file : List.of("admin.token", "jwt.secret")) {
            Path f = dataDir.resolve(file);
            try {
                if (Files.exists(f)) LeakGuard.register(Files.readString(f).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Stops and starts again on the same data dir and settings (a new port). */
    public TestServer restart() {
        server.stop();
        Map<String, String> again = new HashMap<>(settings);
        return start(dataDir, again);
    }

    public SwitchboardServer server() {
        return server;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return server.port();
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI ws() {
        return URI.create("ws://127.0.0.1:" + port() + "/ws");
    }

    public URI ws(String token) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws?token=" + token);
    }

    public String token(String user) {
        return LeakGuard.register(server.clientTokens().issue(user, Duration.ofHours(1), null, null));
    }

    public String token(String user, String name, List<String> rooms) {
        return LeakGuard.register(server.clientTokens().issue(user, Duration.ofHours(1), name, rooms));
    }

    public String adminToken() {
        String configured = settings.get("admin.token");
        if (configured != null && !configured.isBlank()) return configured;
        try {
            return LeakGuard.register(Files.readString(dataDir.resolve("admin.token")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) b.headers(headers);
        for (int i = 1; i < headers.length; i += 2) {
            if (headers[i - 1].equalsIgnoreCase("Authorization") || headers[i - 1].equalsIgnoreCase("Cookie")) {
                LeakGuard.register(WsClient.credentialOf(headers[i]));
            }
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

    @Override
    public void close() {
        server.stop();
    }
}
