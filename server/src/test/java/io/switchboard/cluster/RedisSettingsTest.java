package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.logging.Redaction;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redis settings from configuration: Lettuce's URL forms, the password's precedence, and never showing it. */
class RedisSettingsTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/sb";

    private static Config config(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of("db.url", PG));
        m.putAll(extra);
        return Config.of(m);
    }

    private static RedisCredentials credentials(RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block();
    }

    @Test
    void defaultsAreASingleNodeWithTheDocumentedClusterSettings() {
        Config c = Config.of(Map.of());
        assertFalse(RedisSettings.configured(c));
        RedisSettings s = RedisSettings.from(config(Map.of("redis.url", "redis://h:6379")), NodeIdentity.of("n1", "h:1"));
        assertEquals("switchboard", s.prefix());
        assertEquals(Duration.ofSeconds(2), s.timeout());
        assertEquals(Duration.ofSeconds(30), s.presenceTtl());
        assertEquals(Duration.ofSeconds(1), s.infoInterval());
        assertEquals("switchboard:node:n1", s.ownChannel());
        assertEquals(Duration.ofSeconds(2), s.uri().getTimeout());
    }

    @Test
    void userAndPasswordComeFromTheUrlAndRedisPasswordOverridesThePasswordOnly() {
        RedisURI fromUrl = RedisSettings.parse("redis://app:inurl@h:6379/2", null);
        assertEquals("app", credentials(fromUrl).getUsername());
        assertEquals("inurl", new String(credentials(fromUrl).getPassword()));
        assertEquals(2, fromUrl.getDatabase());

        RedisURI overridden = RedisSettings.parse("redis://app:inurl@h:6379", "fromkey");
        assertEquals("app", credentials(overridden).getUsername());
        assertEquals("fromkey", new String(credentials(overridden).getPassword()));

        RedisURI keyOnly = RedisSettings.parse("redis://h:6379", "fromkey");
        assertFalse(credentials(keyOnly).hasUsername());
        assertEquals("fromkey", new String(credentials(keyOnly).getPassword()));
    }

    @Test
    void tlsAndSentinelUrlsAreUnderstood() {
        assertTrue(RedisSettings.parse("rediss://h:6380", null).isSsl());
        RedisURI sentinel = RedisSettings.parse("redis-sentinel://pw@s1:26379,s2:26380#mymaster", null);
        assertEquals("mymaster", sentinel.getSentinelMasterId());
        assertEquals(2, sentinel.getSentinels().size());
        ConfigException noMaster = assertThrows(ConfigException.class,
                () -> RedisSettings.parse("redis-sentinel://s1:26379", null));
        assertTrue(noMaster.getMessage().contains("#master"), noMaster.getMessage());
    }

    @Test
    void aBadUrlIsRefusedAtLoadNamingTheKeyWithoutThePassword() {
        for (String bad : new String[] {"http://u:hunter2hunter2@h", "redis://u:hunter2hunter2@h:99999",
                "redis://u:hunter2hunter2@h:12x", "redis://:hunter2hunter2@"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> config(Map.of("redis.url", bad)), bad);
            assertTrue(e.getMessage().contains("redis.url"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2hunter2"), e.getMessage());
        }
    }

    @Test
    void theUrlIsShownWithItsPasswordMasked() {
        assertEquals("redis://app:[redacted]@h:6379/0", RedisSettings.redact("redis://app:s3cret@h:6379/0"));
        assertEquals("redis://[redacted]@h:6379", RedisSettings.redact("redis://s3cret@h:6379"));
        assertEquals("redis://h:6379", RedisSettings.redact("redis://h:6379"));
        Config c = config(Map.of("redis.url", "redis://app:s3cret@h:6379", "redis.password", "other-secret"));
        assertEquals("redis://app:[redacted]@h:6379", c.summary().get("redis.url"));
        assertEquals("(set)", c.summary().get("redis.password"));
        assertFalse(RedisSettings.from(c, NodeIdentity.of("n", "a")).toString().contains("s3cret"));
    }

    @Test
    void theLogMaskCatchesUrlPasswordsAndRedisAuthOnTheWire() {
        assertEquals("connecting to redis://app:[redacted]@h:6379 now",
                Redaction.redact("connecting to redis://app:s3cret@h:6379 now"));
        assertEquals("redis://[redacted]@h", Redaction.redact("redis://s3cret@h"));
        assertEquals("jdbc:postgresql://u:[redacted]@db/x", Redaction.redact("jdbc:postgresql://u:pw@db/x"));
        assertEquals("ws://127.0.0.1:8080/ws", Redaction.redact("ws://127.0.0.1:8080/ws"), "no user info, nothing masked");
        // Lettuce at TRACE dumps each command as sent: HELLO 3 AUTH user password, and AUTH password.
        String hello = "Sent: *5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$17\r\nSECRETPASSWORD123\r\n";
        String masked = Redaction.redact(hello);
        assertFalse(masked.contains("SECRETPASSWORD123"), masked);
        assertTrue(masked.contains("app"), "the user stays readable: " + masked);
        String auth = "Sent: *2\r\n$4\r\nAUTH\r\n$17\r\nSECRETPASSWORD123\r\n*1\r\n$4\r\nPING\r\n";
        assertFalse(Redaction.redact(auth).contains("SECRETPASSWORD123"), Redaction.redact(auth));
        assertTrue(Redaction.redact(auth).contains("PING"));
    }

    @Test
    void aClusterOnH2IsAConfigurationError() {
        for (String db : new String[] {"", "jdbc:h2:tcp://127.0.0.1:9092/sb"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Config.of(Map.of("db.url", db, "redis.url", "redis://h:6379")));
            assertTrue(e.getMessage().contains("embedded H2") && e.getMessage().contains("db.url=jdbc:postgresql"), e.getMessage());
        }
    }

    @Test
    void nodeIdsAreValidatedOrGeneratedUniquely() {
        assertThrows(ConfigException.class, () -> Config.of(Map.of("node.id", "bad id")));
        assertThrows(ConfigException.class, () -> Config.of(Map.of("redis.prefix", "a:b")));
        Config c = Config.of(Map.of("host", "127.0.0.1", "port", "0"));
        NodeIdentity a = NodeIdentity.from(c);
        NodeIdentity b = NodeIdentity.from(c);
        assertNotEquals(a.id(), b.id());
        assertTrue(a.id().matches("[a-z0-9.-]+-[a-z0-9]{6}"), a.id());
        a.bind(8123);
        assertEquals("127.0.0.1:8123", a.address());
        NodeIdentity fixed = NodeIdentity.from(Config.of(Map.of("node.id", "web-1", "node.address", "web-1.internal:443")));
        fixed.bind(9);
        assertEquals("web-1", fixed.id());
        assertEquals("web-1.internal:443", fixed.address());
    }
}
