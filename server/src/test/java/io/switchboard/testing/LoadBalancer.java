package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * HAProxy on a free loopback port in front of nodes, as a production cluster would have some load balancer:
 * round-robin, WebSocket-friendly timeouts ({@code timeout tunnel 1h}), and a health check of {@code GET /ready}
 * every 500 ms that takes a node out of rotation at the first failure and back after two successes, so that a
 * draining, unready or dead node stops getting new connections within about a second. A connection attempt to a
 * dead node is redispatched to another one. Its stats (CSV) tell which nodes are in rotation. Output goes to
 * {@code target/test-logs/haproxy-<port>.log}. A missing {@code haproxy} skips locally and fails under {@code CI=true}.
 *
 * <pre>{@code
 * try (LoadBalancer lb = LoadBalancer.start(Map.of("n1", node1.port(), "n2", node2.port()))) {
 *     lb.awaitInRotation("n1", true, Duration.ofSeconds(10));
 *     URI ws = lb.ws(token);                 // ws://127.0.0.1:<lb port>/ws?token=...
 *     Map<String, String> states = lb.states(); // n1 -> UP, n2 -> DOWN ...
 * }
 * }</pre>
 */
public final class LoadBalancer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START = Duration.ofSeconds(20);

    private final int port;
    private final int statsPort;
    private final Path dir;
    private final Path log;
    private final Map<String, Integer> backends;
    private Process process;

    private LoadBalancer(int port, int statsPort, Path dir, Path log, Map<String, Integer> backends) {
        this.port = port;
        this.statsPort = statsPort;
        this.dir = dir;
        this.log = log;
        this.backends = backends;
    }

    /** Starts HAProxy over the given nodes (name to loopback port), in this order. */
    public static LoadBalancer start(Map<String, Integer> backends) {
        String binary = binary();
        try {
            int port = Ports.free();
            int statsPort = Ports.free();
            Path dir = Files.createTempDirectory("switchboard-haproxy");
            Path log = TestLogs.file("haproxy-" + port + ".log");
            LoadBalancer lb = new LoadBalancer(port, statsPort, dir, log, new LinkedHashMap<>(backends));
            Files.writeString(dir.resolve("haproxy.cfg"), config(port, statsPort, backends));
            lb.launch(binary);
            return lb;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration file, as {@code deploy/local-cluster.sh} writes it too. */
    static String config(int port, int statsPort, Map<String, Integer> backends) {
        StringBuilder b = new StringBuilder();
        b.append("""
                global
                  # No maxconn: HAProxy derives it from the file descriptor limit (two per proxied connection).

                defaults
                  mode http
                  option redispatch
                  retries 3
                  timeout connect 2s
                  timeout client 1h
                  timeout server 1h
                  # An upgraded WebSocket is a tunnel: it may stay quiet between heartbeats for a long time.
                  timeout tunnel 1h
                  timeout client-fin 5s
                  timeout http-request 10s
                  timeout check 2s

                frontend switchboard
                  bind 127.0.0.1:%d
                  default_backend nodes

                backend nodes
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /ready
                  http-check expect status 200
                  default-server inter 500ms fall 1 rise 2
                """.formatted(port));
        backends.forEach((name, p) -> b.append("  server ").append(name).append(" 127.0.0.1:").append(p).append(" check\n"));
        b.append("""

                listen stats
                  bind 127.0.0.1:%d
                  stats enable
                  stats uri /stats
                """.formatted(statsPort));
        return b.toString();
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        String why = "haproxy not found (apt-get install haproxy)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why + "; CI=true, so a missing load balancer is an error");
        Assumptions.abort(why + "; skipped because CI is not \"true\"");
        return null;
    }

    private void launch(String binary) throws IOException {
        // -db: stay in the foreground, as this JVM's child, so the test owns it.
        process = new ProcessBuilder(binary, "-db", "-f", dir.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START.toNanos();
        while (!Ports.accepting(port) || !Ports.accepting(statsPort)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited (" + process.exitValue() + "); log " + log + ":\n" + TestLogs.tail(log));
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("haproxy did not listen within " + START);
            TestLogs.pause();
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code ws://127.0.0.1:<port>/ws?token=<token>}. */
    public URI ws(String token) {
        return URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token);
    }

    /** The nodes behind it, name to port. */
    public Map<String, Integer> backends() {
        return Map.copyOf(backends);
    }

    /** Each node's state as HAProxy sees it now: {@code UP}, {@code DOWN}, {@code UP 1/2} (rising), ... */
    public Map<String, String> states() {
        Map<String, String> out = new LinkedHashMap<>();
        String csv = get(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).body();
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty()) return out;
        List<String> header = List.of(lines.get(0).replaceFirst("^# ", "").split(","));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length > status && "nodes".equals(f[px]) && backends.containsKey(f[sv])) out.put(f[sv], f[status]);
        }
        return out;
    }

    /** Waits until HAProxy has {@code node} in rotation ({@code UP}) or out of it (anything else). */
    public void awaitInRotation(String node, boolean inRotation, Duration timeout) {
        Await.until(node + (inRotation ? " in" : " out of") + " rotation (states " + backends.keySet() + ")", timeout,
                () -> "UP".equals(states().get(node)) == inRotation);
    }

    /** {@code GET path} through the balancer with header name/value pairs. */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) b.headers(headers);
        for (int i = 1; i < headers.length; i += 2) {
            if (headers[i - 1].equalsIgnoreCase("Authorization")) LeakGuard.register(WsClient.credentialOf(headers[i]));
        }
        return send(b.build());
    }

    private static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
    }
}
