package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.SwitchboardServer;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Admin token and client token secret: generated once into owner-only files, or taken from configuration; never logged. */
@Timeout(60)
class SecretsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CONFIGURED_ADMIN = "configured-admin-token-0123456789";
    private static final String CONFIGURED_JWT = "configured-jwt-secret-0123456789-abcdefghij";

    @TempDir
    Path dataDir;

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    private static int apiStatus(int port, String adminToken) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/anything"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + adminToken).GET().build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String userOf(SwitchboardServer server, String token) {
        ClientTokens.Result r = server.clientTokens().verify(token);
        assertNotNull(r.principal(), () -> "token refused: " + r.rejected());
        return r.principal().user();
    }

    private static String mint(String secret, String user) {
        return new ClientTokens(secret, Clock.systemUTC()).issue(user, Duration.ofMinutes(5), null, null);
    }

    /** Every log line (message and exception text) written while {@code action} runs, from every logger. */
    private static <T> T capturingLogs(List<String> into, Supplier<T> action) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(ctx);
        appender.start();
        root.addAppender(appender);
        try {
            return action.get();
        } finally {
            root.detachAppender(appender);
            appender.stop();
            synchronized (appender) { // AppenderBase.doAppend holds this monitor
                for (ILoggingEvent e : appender.list) {
                    StringBuilder line = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
                    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) line.append(" | ").append(t.getMessage());
                    // What production writes: every line goes through logback.xml's %redact.
                    into.add(io.switchboard.logging.Redaction.redact(line.toString()));
                }
            }
        }
    }

    private static void assertNotLogged(List<String> logs, String secret, String what) {
        for (String line : logs) assertFalse(line.contains(secret), what + " appears in the log: " + line);
    }

    @Test
    void aFreshDataDirGetsOwnerOnlySecretFilesOfAtLeast32Characters() throws IOException {
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            for (String name : List.of("admin.token", "jwt.secret")) {
                Path file = dataDir.resolve(name);
                assertTrue(Files.isRegularFile(file), name + " created");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), name);
                assertTrue(read(file).length() >= 32, name + " is " + read(file).length() + " characters");
            }
            assertNotEquals(read(dataDir.resolve("admin.token")), read(dataDir.resolve("jwt.secret")), "independent secrets");
        }
    }

    @Test
    void theServerUsesTheGeneratedSecrets() throws Exception {
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            assertEquals(404, apiStatus(server.port(), read(dataDir.resolve("admin.token"))));
            assertEquals("ann", userOf(server.server(), mint(read(dataDir.resolve("jwt.secret")), "ann")));
        }
    }

    @Test
    void aSecondStartReusesTheStoredSecrets() throws Exception {
        TestServer first = TestServer.start(dataDir, Map.of());
        String admin = read(dataDir.resolve("admin.token"));
        String jwt = read(dataDir.resolve("jwt.secret"));
        String issuedBefore = first.token("bob");

        TestServer second = first.restart();
        try {
            assertEquals(admin, read(dataDir.resolve("admin.token")));
            assertEquals(jwt, read(dataDir.resolve("jwt.secret")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("jwt.secret"))));
            assertEquals(404, apiStatus(second.port(), admin), "the stored admin token still opens the API");
            assertEquals("bob", userOf(second.server(), issuedBefore), "tokens issued before the restart stay valid");
        } finally {
            second.close();
        }
    }

    @Test
    void configuredSecretsAreUsedAndNoSecretFileIsWritten() throws Exception {
        Map<String, String> env = Map.of("SWITCHBOARD_ADMIN_TOKEN", CONFIGURED_ADMIN, "SWITCHBOARD_JWT_SECRET", CONFIGURED_JWT);
        Config config = Config.load(env, List.of("--port=0", "--host=127.0.0.1", "--data-dir=" + dataDir, "--shutdown-grace=5s",
                "--drain-delay=0", "--drain-window=0"));
        try (SwitchboardServer server = SwitchboardServer.create(config).start()) {
            assertFalse(Files.exists(dataDir.resolve("admin.token")), "no admin.token file");
            assertFalse(Files.exists(dataDir.resolve("jwt.secret")), "no jwt.secret file");
            assertEquals(404, apiStatus(server.port(), CONFIGURED_ADMIN), "the configured admin token opens the API");
            assertEquals("cat", userOf(server, mint(CONFIGURED_JWT, "cat")), "tokens signed with the configured secret verify");
            assertNotNull(server.clientTokens().verify(mint("some-other-secret-0123456789-abcdefghij", "eve")).rejected(),
                    "a token signed with another secret is refused");
        }
    }

    @Test
    void aConfiguredSecretWinsOverAnExistingFile() throws Exception {
        TestServer.start(dataDir, Map.of()).close();
        String stored = read(dataDir.resolve("admin.token"));
        Config config = Config.load(Map.of("SWITCHBOARD_ADMIN_TOKEN", CONFIGURED_ADMIN),
                List.of("--port=0", "--host=127.0.0.1", "--data-dir=" + dataDir));
        try (SwitchboardServer server = SwitchboardServer.create(config).start()) {
            assertEquals(404, apiStatus(server.port(), CONFIGURED_ADMIN));
            assertEquals(401, apiStatus(server.port(), stored), "the file's token no longer opens the API");
        }
    }

    @Test
    void aTooShortJwtSecretIsRejectedBeforeAnythingStarts() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.load(Map.of("SWITCHBOARD_JWT_SECRET", "too-short-secret"), List.of("--data-dir=" + dataDir)));
        assertTrue(e.getMessage().contains("jwt.secret"), e.getMessage());
        assertFalse(e.getMessage().contains("too-short-secret"), "the message does not echo the secret: " + e.getMessage());
    }

    @Test
    void aStoredSecretFileWithLoosePermissionsIsTightenedToOwnerOnly() throws IOException {
        Path file = dataDir.resolve("jwt.secret");
        Files.writeString(file, "stored-secret-0123456789-0123456789-abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String value = Secrets.configuredOrStored("", dataDir, "jwt.secret", "Client token secret");
        assertEquals("stored-secret-0123456789-0123456789-abcdef", value);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void anEmptySecretFileStopsTheStartInsteadOfBeingUsed() throws IOException {
        Files.writeString(dataDir.resolve("admin.token"), "\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Secrets.configuredOrStored("", dataDir, "admin.token", "Admin token"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void generatedSecretsAreNeverLoggedButTheirFilesAre() throws Exception {
        List<String> logs = new ArrayList<>();
        TestServer first = capturingLogs(logs, () -> TestServer.start(dataDir, Map.of("access.log", "true")));
        String admin = read(dataDir.resolve("admin.token"));
        String jwt = read(dataDir.resolve("jwt.secret"));
        capturingLogs(logs, () -> {
            try {
                return apiStatus(first.port(), admin);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        TestServer second = capturingLogs(logs, first::restart);
        capturingLogs(logs, () -> { second.close(); return null; });

        String all = String.join("\n", logs);
        assertTrue(all.contains(dataDir.resolve("admin.token").toAbsolutePath().toString()), "admin token file is named:\n" + all);
        assertTrue(all.contains(dataDir.resolve("jwt.secret").toAbsolutePath().toString()), "jwt secret file is named:\n" + all);
        assertTrue(all.contains("/api/v1/anything"), "the access log was captured too:\n" + all);
        assertNotLogged(logs, admin, "the admin token");
        assertNotLogged(logs, jwt, "the jwt secret");
        assertNotLogged(logs, admin.substring(0, 12), "a prefix of the admin token");
        assertNotLogged(logs, jwt.substring(0, 12), "a prefix of the jwt secret");
    }

    @Test
    void configuredSecretsAreNeverLogged() {
        List<String> logs = new ArrayList<>();
        String dbPassword = "db-password-never-logged-42";
        Map<String, String> env = Map.of("SWITCHBOARD_ADMIN_TOKEN", CONFIGURED_ADMIN, "SWITCHBOARD_JWT_SECRET", CONFIGURED_JWT,
                "SWITCHBOARD_DB_PASSWORD", dbPassword);
        capturingLogs(logs, () -> {
            // An in-memory H2 created with this password, so the password is really used to connect.
            Config config = Config.load(env, List.of("--port=0", "--host=127.0.0.1", "--data-dir=" + dataDir,
                    "--db-url=jdbc:h2:mem:secrets-test-" + System.nanoTime(), "--db-user=sa"));
            SwitchboardServer.create(config).start().stop();
            return null;
        });
        assertFalse(logs.isEmpty(), "the start was logged");
        assertNotLogged(logs, CONFIGURED_ADMIN, "the configured admin token");
        assertNotLogged(logs, CONFIGURED_JWT, "the configured jwt secret");
        assertNotLogged(logs, dbPassword, "the database password");
    }
}
