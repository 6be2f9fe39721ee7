package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.auth.ClientPrincipal;
import io.switchboard.auth.ClientTokens;
import io.switchboard.store.DataDirLock;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real command line in its own JVM: start-up, graceful SIGTERM, the token command and exit codes. */
@Timeout(180)
class MainProcessTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dataDir;

    private SwitchboardProcess serve(Path dir) {
        return SwitchboardProcess.start("serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dir.toString());
    }

    private static int portOf(SwitchboardProcess p) {
        String line = p.awaitLine("listening on", START);
        Matcher m = LISTENING.matcher(line);
        assertTrue(m.find(), "port in: " + line);
        return Integer.parseInt(m.group(1));
    }

    private String jwtSecret() throws IOException {
        return Files.readString(dataDir.resolve("jwt.secret")).trim();
    }

    @Test
    void sigtermDrainsChatConnectionsWith1012AndExitsZero() throws IOException {
        try (SwitchboardProcess p = SwitchboardProcess.start("serve", "--port", "0", "--host", "127.0.0.1", "--data-dir",
                dataDir.toString(), "--drain-delay", "200ms", "--drain-window", "0")) {
            int port = portOf(p);
            String token = new ClientTokens(jwtSecret(), Clock.systemUTC()).issue("u", Duration.ofMinutes(5), null, null);
            try (WsClient client = WsClient.connected(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token))) {
                p.terminate();
                assertEquals(0, p.awaitExit(EXIT), p.output());
                assertEquals(new WsClient.Closed(1012, "draining"), client.awaitClose(EXIT),
                        "clients are told to reconnect elsewhere at once");
            }
            assertTrue(p.output().contains("Switchboard stopped"), p.output());
            assertTrue(p.output().contains("1 chat connection(s) closed"), p.output());
            DataDirLock.acquire(dataDir).close(); // the stopped process no longer holds the data dir
        }
    }

    @Test
    void tokenCommandPrintsAClientTokenSignedWithTheDataDirSecret() throws IOException {
        try (SwitchboardProcess p = SwitchboardProcess.start("token", "alice", "--ttl", "30m", "--name", "Alice A",
                "--rooms", "lobby, dev-*", "--data-dir", dataDir.toString())) {
            assertEquals(0, p.awaitExit(START), p.output());
            List<String> lines = p.lines().stream().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), "only the token is printed: " + p.output());
            String token = io.switchboard.testing.LeakGuard.register(lines.get(0).trim());

            ClientTokens.Result r = new ClientTokens(jwtSecret(), Clock.systemUTC()).verify(token);
            ClientPrincipal principal = r.principal();
            assertNotNull(principal, () -> "token refused: " + r.rejected());
            assertEquals("alice", principal.user());
            assertEquals("Alice A", principal.name());
            assertEquals(List.of("lobby", "dev-*"), principal.rooms());
            long ttlMs = principal.expiresAt() - System.currentTimeMillis();
            assertTrue(ttlMs > Duration.ofMinutes(25).toMillis() && ttlMs <= Duration.ofMinutes(30).toMillis(), "ttl " + ttlMs + " ms");

            assertNotNull(new ClientTokens("another-secret-0123456789-abcdefghijkl", Clock.systemUTC()).verify(token).rejected(),
                    "the token is bound to this data dir's secret");
        }
    }

    @Test
    void tokenCommandRefusesClaimsThatTheServerWouldRefuseAtConnect() {
        for (List<String> args : List.of(List.of("u", "--name", "N".repeat(300)), List.of("u", "--name", "bell\u0007"),
                List.of("u", "--rooms", "lobby,no spaces"), List.of("u".repeat(129)))) {
            List<String> command = new java.util.ArrayList<>(List.of("token"));
            command.addAll(args);
            command.addAll(List.of("--data-dir", dataDir.toString()));
            try (SwitchboardProcess p = SwitchboardProcess.start(command.toArray(String[]::new))) {
                assertEquals(2, p.awaitExit(START), args + ": " + p.output());
                assertTrue(p.output().contains("must"), p.output());
                assertTrue(p.lines().stream().noneMatch(l -> l.startsWith("eyJ")), "no token printed: " + p.output());
            }
        }
    }

    @Test
    void tokenCommandAndServerAgreeOnTheSecret() throws IOException {
        String token;
        try (SwitchboardProcess t = SwitchboardProcess.start("token", "u", "--data-dir", dataDir.toString())) {
            assertEquals(0, t.awaitExit(START), t.output());
            token = io.switchboard.testing.LeakGuard.register(
                    t.lines().stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElseThrow().trim());
        }
        try (SwitchboardProcess p = serve(dataDir)) {
            int port = portOf(p);
            try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token))) {
                assertEquals("u", client.await("welcome").path("user").asText());
            }
            p.terminate();
            assertEquals(0, p.awaitExit(EXIT), p.output());
        }
    }

    @Test
    void anUnknownFlagExitsWithCode2AndNamesTheFlag() {
        try (SwitchboardProcess p = SwitchboardProcess.start("serve", "--bogus-flag", "1", "--data-dir", dataDir.toString())) {
            assertEquals(2, p.awaitExit(START), p.output());
            assertTrue(p.output().contains("--bogus-flag"), p.output());
            assertFalse(p.output().contains("listening on"), p.output());
        }
        assertFalse(Files.exists(dataDir.resolve("switchboard.lock")), "nothing was started");
    }

    @Test
    void anInvalidValueExitsWithCode2AndNamesTheKey() {
        try (SwitchboardProcess p = SwitchboardProcess.start("serve", "--port", "70000", "--data-dir", dataDir.toString())) {
            assertEquals(2, p.awaitExit(START), p.output());
            assertTrue(p.output().contains("port"), p.output());
        }
    }

    @Test
    void aSecondServeOnAHeldDataDirExits1SayingItIsInUse() {
        try (SwitchboardProcess first = serve(dataDir)) {
            portOf(first);
            try (SwitchboardProcess second = serve(dataDir)) {
                assertEquals(1, second.awaitExit(START), second.output());
                assertTrue(second.output().contains("in use"), second.output());
                assertFalse(second.output().contains("listening on"), second.output());
            }
            assertTrue(first.isAlive(), "the first server keeps running");
            first.terminate();
            assertEquals(0, first.awaitExit(EXIT), first.output());
        }
    }
}
