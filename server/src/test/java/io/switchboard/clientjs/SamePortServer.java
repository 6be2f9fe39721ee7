package io.switchboard.clientjs;

import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A test server that can go down and come back on the same port and data dir, as a browser sees a restart.
 * ({@link TestServer#restart()} picks a new port, which a page connected to the old one would never find.)
 */
final class SamePortServer implements AutoCloseable {
    final int port;
    private final Path dataDir;
    private final Map<String, String> overrides;
    private TestServer server;

    private SamePortServer(int port, Path dataDir, Map<String, String> overrides) {
        this.port = port;
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    static SamePortServer start(Map<String, String> settings) {
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Map<String, String> overrides = new HashMap<>(settings);
            overrides.put("port", String.valueOf(port));
            SamePortServer s = new SamePortServer(port, Files.createTempDirectory("switchboard-clientjs"), Map.copyOf(overrides));
            s.up();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running server; fails when it is down. */
    TestServer current() {
        if (server == null) throw new IllegalStateException("the server is down");
        return server;
    }

    boolean isUp() {
        return server != null;
    }

    /** Graceful stop, as on SIGTERM: connections are closed with 1001 going_away. */
    void down() {
        if (server == null) return;
        server.close();
        server = null;
    }

    void up() {
        if (server != null) return;
        server = TestServer.start(dataDir, overrides);
        if (server.port() != port) throw new IllegalStateException("came back on " + server.port() + ", not " + port);
    }

    /** A copy of the data dir, as a backup is taken: only while the server is down. */
    Path backup() {
        if (server != null) throw new IllegalStateException("stop the server first");
        try {
            Path copy = Files.createTempDirectory("switchboard-clientjs-backup");
            copyTree(dataDir, copy);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts a backup in place of the data dir, as an operator restores one: only while the server is down. */
    void restore(Path backup) {
        if (server != null) throw new IllegalStateException("stop the server first");
        try (var old = Files.walk(dataDir)) {
            for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dataDir)) Files.delete(p);
            }
            copyTree(backup, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() {
        down();
    }
}
