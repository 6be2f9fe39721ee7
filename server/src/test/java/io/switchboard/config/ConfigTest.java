package io.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Precedence and validation of configuration, as an operator meets them on the command line and in the environment. */
@Timeout(30)
class ConfigTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("switchboard.properties");
        Files.write(f, List.of(lines));
        return f;
    }

    /** The message must name the key as a whole word, not merely contain its letters. */
    private static void assertNamesKey(String key, ConfigException e) {
        assertTrue(Pattern.compile("(?<![\\w.-])" + Pattern.quote(key) + "(?![\\w.-])").matcher(e.getMessage()).find(),
                () -> "message should name " + key + ": " + e.getMessage());
    }

    private static ConfigException rejectedFlags(String... flags) {
        return assertThrows(ConfigException.class, () -> Config.load(Map.of(), List.of(flags)));
    }

    @Test
    void withNothingSetEveryKeyHasItsDefault() {
        Config c = Config.load(Map.of(), List.of());
        assertEquals(8080, c.get(Keys.PORT));
        assertEquals("0.0.0.0", c.get(Keys.HOST));
        assertEquals(Duration.ofSeconds(25), c.get(Keys.HEARTBEAT_INTERVAL));
        assertEquals(Duration.ofSeconds(60), c.get(Keys.HEARTBEAT_TIMEOUT));
        assertEquals(Boolean.TRUE, c.get(Keys.ROOMS_AUTOCREATE));
        assertEquals("", c.get(Keys.JWT_SECRET));
        assertEquals("default", c.sourceOf(Keys.PORT));
    }

    @Test
    void fileOverridesDefaultsEnvironmentOverridesFileAndFlagsOverrideEverything() throws IOException {
        Path f = file("port=1111", "limits.rate=5", "limits.burst=6", "host=10.0.0.1");
        Map<String, String> env = Map.of(
                "SWITCHBOARD_CONFIG", f.toString(),
                "SWITCHBOARD_PORT", "2222",
                "SWITCHBOARD_LIMITS_RATE", "7");
        Config c = Config.load(env, List.of("--port", "3333"));

        assertEquals(3333, c.get(Keys.PORT), "flag beats env and file");
        assertEquals(7, c.get(Keys.LIMIT_RATE), "env beats file");
        assertEquals(6, c.get(Keys.LIMIT_BURST), "file beats default");
        assertEquals("10.0.0.1", c.get(Keys.HOST), "file beats default");
        assertEquals(200, c.get(Keys.HISTORY_PAGE_MAX), "untouched key keeps its default");

        assertEquals("flag --port", c.sourceOf(Keys.PORT));
        assertEquals("env SWITCHBOARD_LIMITS_RATE", c.sourceOf(Keys.LIMIT_RATE));
        assertTrue(c.sourceOf(Keys.LIMIT_BURST).startsWith("file "), c.sourceOf(Keys.LIMIT_BURST));
        assertEquals("default", c.sourceOf(Keys.HISTORY_PAGE_MAX));
    }

    @Test
    void configFileCanBeGivenWithTheConfigFlag() throws IOException {
        Path f = file("limits.burst=9", "heartbeat.interval=5s", "heartbeat.timeout=12s");
        Config c = Config.load(Map.of(), List.of("--config", f.toString()));
        assertEquals(9, c.get(Keys.LIMIT_BURST));
        assertEquals(Duration.ofSeconds(5), c.get(Keys.HEARTBEAT_INTERVAL));
        assertEquals(Duration.ofSeconds(12), c.get(Keys.HEARTBEAT_TIMEOUT));
    }

    @Test
    void configFlagChoosesTheFileOverTheConfigEnvironmentVariable() throws IOException {
        Path fromEnv = dir.resolve("env.properties");
        Files.writeString(fromEnv, "limits.burst=11\n");
        Path fromFlag = file("limits.burst=12");
        Config c = Config.load(Map.of("SWITCHBOARD_CONFIG", fromEnv.toString()), List.of("--config=" + fromFlag));
        assertEquals(12, c.get(Keys.LIMIT_BURST));
    }

    @Test
    void flagsAcceptBothTheSpacedAndTheEqualsForm() {
        Config c = Config.load(Map.of(), List.of("--port", "1234", "--host=10.1.2.3", "--heartbeat-interval=2s",
                "--heartbeat-timeout", "7s", "--access-log=true", "--allowed-origins", "https://a.example, https://b.example"));
        assertEquals(1234, c.get(Keys.PORT));
        assertEquals("10.1.2.3", c.get(Keys.HOST));
        assertEquals(Duration.ofSeconds(2), c.get(Keys.HEARTBEAT_INTERVAL));
        assertEquals(Duration.ofSeconds(7), c.get(Keys.HEARTBEAT_TIMEOUT));
        assertEquals(Boolean.TRUE, c.get(Keys.ACCESS_LOG));
        assertEquals(List.of("https://a.example", "https://b.example"), c.get(Keys.ALLOWED_ORIGINS));
    }

    @Test
    void anEqualsSignInsideAFlagValueIsKeptAsPartOfTheValue() {
        Config c = Config.load(Map.of(), List.of("--db-url=jdbc:h2:mem:x;MODE=PostgreSQL"));
        assertEquals("jdbc:h2:mem:x;MODE=PostgreSQL", c.get(Keys.DB_URL));
    }

    @Test
    void environmentVariablesWithoutTheSwitchboardPrefixAreIgnored() {
        Config c = Config.load(Map.of("PATH", "/usr/bin", "HOME", "/root", "PORT", "1"), List.of());
        assertEquals(8080, c.get(Keys.PORT));
    }

    @Test
    void anUnknownSwitchboardEnvironmentVariableIsRejectedByName() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.load(Map.of("SWITCHBOARD_FOO", "1"), List.of()));
        assertNamesKey("SWITCHBOARD_FOO", e);
    }

    @Test
    void anUnknownFlagIsRejectedByName() {
        assertNamesKey("--bogus", rejectedFlags("--bogus", "1"));
        assertNamesKey("--bogus", rejectedFlags("--bogus=1"));
    }

    @Test
    void aFlagWithoutAValueIsRejectedByName() {
        assertNamesKey("--port", rejectedFlags("--port"));
    }

    @Test
    void anUnknownKeyInTheConfigFileIsRejectedByName() throws IOException {
        Path f = file("port=9000", "bogus.key=1");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.load(Map.of(), List.of("--config", f.toString())));
        assertNamesKey("bogus.key", e);
    }

    @Test
    void theConfigKeyItselfIsNotAllowedInsideTheConfigFile() throws IOException {
        Path f = file("config=/etc/other.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.load(Map.of(), List.of("--config", f.toString())));
        assertNamesKey("config", e);
    }

    @Test
    void aMissingConfigFileIsAConfigErrorNamingTheFile() {
        Path missing = dir.resolve("nope.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.load(Map.of(), List.of("--config", missing.toString())));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aPortThatIsNotANumberIsRejectedByName() {
        assertNamesKey("port", rejectedFlags("--port=abc"));
    }

    @Test
    void aPortAboveTheRangeIsRejectedByName() {
        assertNamesKey("port", rejectedFlags("--port=70000"));
        assertNamesKey("port", rejectedFlags("--port=-1"));
    }

    @Test
    void anInvalidValueFromTheEnvironmentOrTheFileIsRejectedByName() throws IOException {
        assertNamesKey("port", assertThrows(ConfigException.class,
                () -> Config.load(Map.of("SWITCHBOARD_PORT", "abc"), List.of())));
        Path f = file("limits.rate=many");
        assertNamesKey("limits.rate", assertThrows(ConfigException.class,
                () -> Config.load(Map.of(), List.of("--config", f.toString()))));
    }

    @Test
    void heartbeatDurationsMustBeWellFormedAndInRange() {
        assertNamesKey("heartbeat.interval", rejectedFlags("--heartbeat-interval=soon"));
        assertNamesKey("heartbeat.interval", rejectedFlags("--heartbeat-interval=25"));
        assertNamesKey("heartbeat.interval", rejectedFlags("--heartbeat-interval=10ms"));
        assertNamesKey("heartbeat.interval", rejectedFlags("--heartbeat-interval=11m"));
        assertNamesKey("heartbeat.timeout", rejectedFlags("--heartbeat-timeout=-5s"));
        assertNamesKey("heartbeat.timeout", rejectedFlags("--heartbeat-timeout=2h"));
    }

    @Test
    void durationsAcceptEveryDocumentedUnit() {
        Config c = Config.load(Map.of(), List.of("--heartbeat-interval=500ms", "--heartbeat-timeout=1h", "--shutdown-grace=2m"));
        assertEquals(Duration.ofMillis(500), c.get(Keys.HEARTBEAT_INTERVAL));
        assertEquals(Duration.ofHours(1), c.get(Keys.HEARTBEAT_TIMEOUT));
        assertEquals(Duration.ofMinutes(2), c.get(Keys.SHUTDOWN_GRACE));
    }

    @Test
    void wsCompressionIsOffUnlessSetToOn() {
        assertEquals(Keys.COMPRESSION_OFF, Config.load(Map.of(), List.of()).get(Keys.WS_COMPRESSION));
        assertEquals(Keys.COMPRESSION_ON, Config.load(Map.of(), List.of("--ws-compression=ON")).get(Keys.WS_COMPRESSION));
        assertEquals(Keys.COMPRESSION_ON, Config.load(Map.of("SWITCHBOARD_WS_COMPRESSION", "on"), List.of()).get(Keys.WS_COMPRESSION));
        ConfigException e = rejectedFlags("--ws-compression=gzip");
        assertNamesKey("ws.compression", e);
        assertTrue(e.getMessage().contains("expected one of off, on, got 'gzip'"), e.getMessage());
        assertNamesKey("ws.compression", rejectedFlags("--ws-compression=true"));
    }

    @Test
    void aBooleanMustBeTrueOrFalse() {
        assertNamesKey("access.log", rejectedFlags("--access-log=maybe"));
        assertNamesKey("rooms.autocreate", assertThrows(ConfigException.class,
                () -> Config.load(Map.of("SWITCHBOARD_ROOMS_AUTOCREATE", "sometimes"), List.of())));
        assertEquals(Boolean.FALSE, Config.load(Map.of(), List.of("--rooms-autocreate=no")).get(Keys.ROOMS_AUTOCREATE));
        assertEquals(Boolean.TRUE, Config.load(Map.of(), List.of("--access-log=ON")).get(Keys.ACCESS_LOG));
    }

    @Test
    void httpThreadLimitsMustBeInRangeAndTheMinimumAtMostTheMaximum() {
        assertNamesKey("http.threads.min", rejectedFlags("--http-threads-min=50", "--http-threads-max=10"));
        assertNamesKey("http.threads.max", rejectedFlags("--http-threads-max=2"));
        assertNamesKey("http.threads.idle.timeout", rejectedFlags("--http-threads-idle-timeout=soon"));
        assertNamesKey("http.header.timeout", rejectedFlags("--http-header-timeout=0s"));
        assertDoesNotThrow(() -> Config.load(Map.of(), List.of("--http-threads-min=10", "--http-threads-max=10")));
    }

    @Test
    void heartbeatTimeoutMustBeLongerThanTheInterval() {
        assertNamesKey("heartbeat.timeout", rejectedFlags("--heartbeat-interval=25s", "--heartbeat-timeout=25s"));
        assertNamesKey("heartbeat.timeout", rejectedFlags("--heartbeat-interval=30s", "--heartbeat-timeout=10s"));
        assertNamesKey("heartbeat.timeout", rejectedFlags("--heartbeat-interval=2m"));
        assertDoesNotThrow(() -> Config.load(Map.of(), List.of("--heartbeat-interval=25s", "--heartbeat-timeout=26s")));
    }

    @Test
    void anOutboxSmallerThanTwoWriteBatchesIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.of(Map.of("limits.outbox.frames", "100", "db.batch.size", "64")));
        assertNamesKey("limits.outbox.frames", e);
        assertDoesNotThrow(() -> Config.of(Map.of("limits.outbox.frames", "128", "db.batch.size", "64")));
    }

    @Test
    void allowedOriginsAreCheckedWhenTheConfigurationIsLoaded() {
        for (String bad : List.of("https://x.com:99999", "https://x.com:0", "http://h:018087", "chat.example.com",
                "https://x.com/path", "ftp://x.com")) {
            ConfigException e = rejectedFlags("--allowed-origins=https://ok.example.com," + bad);
            assertNamesKey("allowed.origins", e);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertEquals(List.of("HTTPS://Chat.Example.com/", "*", "http://h:8080"),
                Config.load(Map.of(), List.of("--allowed-origins=HTTPS://Chat.Example.com/, *, http://h:8080"))
                        .get(Keys.ALLOWED_ORIGINS));
    }

    @Test
    void aTooShortJwtSecretOrAdminTokenIsRejectedByName() {
        assertNamesKey("jwt.secret", rejectedFlags("--jwt-secret=" + "s".repeat(31)));
        assertDoesNotThrow(() -> Config.load(Map.of(), List.of("--jwt-secret=" + "s".repeat(32))));
        assertNamesKey("admin.token", rejectedFlags("--admin-token=short"));
    }

    @Test
    void theSummaryNeverContainsSecretValues() {
        String admin = "admin-token-VALUE-0123456789";
        String jwt = "jwt-secret-VALUE-0123456789abcdefghijkl";
        String dbPassword = "db-password-VALUE-42";
        Config c = Config.load(Map.of("SWITCHBOARD_DB_PASSWORD", dbPassword),
                List.of("--admin-token", admin, "--jwt-secret=" + jwt, "--port=4321"));
        Map<String, String> summary = c.summary();

        String all = summary.toString();
        for (String secret : List.of(admin, jwt, dbPassword)) {
            assertFalse(all.contains(secret), "summary leaks a secret: " + all);
            assertFalse(all.contains(secret.substring(0, 16)), "summary leaks part of a secret: " + all);
        }
        assertEquals("(set)", summary.get("admin.token"));
        assertEquals("(set)", summary.get("jwt.secret"));
        assertEquals("(set)", summary.get("db.password"));
        assertEquals("4321", summary.get("port"), "non-secret values are shown");
        assertEquals("25s", summary.get("heartbeat.interval"));
        assertEquals(Keys.ALL.size(), summary.size(), "every key is listed");
    }

    @Test
    void theSummarySaysUnsetForSecretsThatAreNotConfigured() {
        Map<String, String> summary = Config.load(Map.of(), List.of()).summary();
        assertEquals("(unset)", summary.get("admin.token"));
        assertEquals("(unset)", summary.get("jwt.secret"));
        assertEquals("(unset)", summary.get("db.password"));
    }

    @Test
    void h2CompactionIsOffByDefaultAndTakesADurationOrZero() {
        assertEquals(Duration.ZERO, Config.load(Map.of(), List.of()).get(Keys.DB_H2_COMPACT_INTERVAL));
        assertEquals(Duration.ZERO, Config.load(Map.of(), List.of("--db-h2-compact-interval", "0")).get(Keys.DB_H2_COMPACT_INTERVAL));
        assertEquals(Duration.ofSeconds(1), Config.load(Map.of(), List.of("--db-h2-compact-interval", "1s")).get(Keys.DB_H2_COMPACT_INTERVAL));
        assertEquals(Duration.ofMillis(250), Config.load(Map.of("SWITCHBOARD_DB_H2_COMPACT_INTERVAL", "250ms"), List.of())
                .get(Keys.DB_H2_COMPACT_INTERVAL));
        ConfigException e = rejectedFlags("--db-h2-compact-interval", "5");
        assertNamesKey("db.h2.compact.interval", e);
        assertTrue(e.getMessage().contains("or 0 for off"), e.getMessage());
        assertNamesKey("db.h2.compact.time", rejectedFlags("--db-h2-compact-time", "0"));
    }
}
