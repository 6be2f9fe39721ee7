package io.switchboard.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system's HAProxy in front of a trial's nodes, configured as the server's cluster tests configure it — round
 * robin, WebSocket timeouts ({@code timeout tunnel 1h}), {@code GET /ready} checked every 500 ms — but with a
 * tolerant check (5 s, out of rotation after three failures instead of one), because a benchmark host is loaded. Run in the foreground ({@code -db}) as the harness's child; its stats page (CSV) tells when every node is
 * in rotation. Config and log are {@code haproxy.cfg} and {@code haproxy.log} in the trial's directory.
 */
final class Haproxy implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int port;
    private final int statsPort;
    private final Process process;
    private final Map<String, Integer> backends;

    private Haproxy(int port, int statsPort, Process process, Map<String, Integer> backends) {
        this.port = port;
        this.statsPort = statsPort;
        this.process = process;
        this.backends = backends;
    }

    static Path binary() throws IOException {
        return Tools.find("haproxy", List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy"), Path.of("/usr/local/sbin/haproxy")),
                System.getenv("PATH"), "HAProxy (apt-get install haproxy): the pg and cluster targets run behind it");
    }

    /** Starts HAProxy over {@code backends} (node id to loopback port) and waits until it listens. */
    static Haproxy start(Path dir, Map<String, Integer> backends) throws IOException {
        Path binary = binary();
        int port = ServerProcess.freePort();
        int statsPort = ServerProcess.freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Path log = dir.resolve("haproxy.log");
        Files.writeString(cfg, config(port, statsPort, backends));
        Process p = ServerProcess.track(new ProcessBuilder(binary.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        Haproxy lb = new Haproxy(port, statsPort, p, new LinkedHashMap<>(backends));
        try {
            Tools.awaitListening("haproxy", p, port, log, START);
            Tools.awaitListening("haproxy stats", p, statsPort, log, START);
        } catch (IOException e) {
            lb.close();
            throw e;
        }
        return lb;
    }

    /** The configuration: the one the server's cluster tests use (LoadBalancer) but for the check, node ids as server names. */
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
                  # The tests' timeout check is 2s and a node leaves rotation at its first failed check (fall 1);
                  # on a loaded benchmark host a slow /ready is load, not a dead node, and with one node behind
                  # the balancer it would turn connects into 503s: 5 s and three failures here.
                  timeout check 5s

                frontend switchboard
                  bind 127.0.0.1:%d
                  default_backend nodes

                backend nodes
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /ready
                  http-check expect status 200
                  default-server inter 500ms fall 3 rise 2
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

    /** Each backend server's status ({@code UP}, {@code DOWN}, {@code UP 1/2}, …) from the stats CSV. */
    static Map<String, String> states(String csv, java.util.Set<String> servers) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty()) return out;
        List<String> header = List.of(lines.get(0).replaceFirst("^# ", "").split(","));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        if (px < 0 || sv < 0 || status < 0) return out;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length > status && "nodes".equals(f[px]) && servers.contains(f[sv])) out.put(f[sv], f[status]);
        }
        return out;
    }

    /** Waits until every node is in rotation, so that round robin spreads the connections over all of them. */
    void awaitAllUp(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("haproxy exited (" + process.exitValue() + ")");
            try {
                String csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
                last = states(csv, backends.keySet());
                if (last.size() == backends.size() && last.values().stream().allMatch("UP"::equals)) return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } catch (IOException e) {
                // stats not answering yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
        throw new IOException("haproxy did not put every node in rotation within " + timeout.toSeconds() + " s: " + last);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Tools.stop(process, Duration.ofSeconds(5));
    }
}
