package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.switchboard.config.Config;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db.durability}: H2 writes each commit to the OS before it returns ({@code WRITE_DELAY=0}), with
 * {@code power} also forces it to disk ({@code CHECKPOINT SYNC}) before the ack; PostgreSQL is checked at start.
 * The crash itself is {@link CrashDurabilityTest}.
 */
@Timeout(120)
class DurabilitySettingsTest {
    @TempDir
    Path dataDir;

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** How often H2 ran CHECKPOINT SYNC since QUERY_STATISTICS was switched on (0 when never). */
    private static int syncs(Connection c) throws SQLException {
        String n = query(c, "SELECT SUM(EXECUTION_COUNT) FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
                + " WHERE SQL_STATEMENT = 'CHECKPOINT SYNC'");
        return n == null ? 0 : Integer.parseInt(n);
    }

    /** Sends one room message and returns how many CHECKPOINT SYNCs H2 ran from before the send to the ack. */
    private static int syncsForOneAckedMessage(TestServer server) throws Exception {
        try (Connection c = server.server().database().pool().getConnection();
             WsClient alice = WsClient.connected(server.ws(server.token("alice")))) {
            alice.join("lobby");
            try (Statement s = c.createStatement()) {
                s.execute("SET QUERY_STATISTICS TRUE");
            }
            int before = syncs(c);
            assertTrue(alice.say("lobby", "kept") > 0);
            return syncs(c) - before;
        }
    }

    @Test
    void h2WritesEachCommitBeforeItReturnsAndProcessNeedsNoFsync() throws Exception {
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            try (Connection c = server.server().database().pool().getConnection()) {
                assertEquals("0", query(c, "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'"),
                        "H2 stores every commit in the file before the commit returns");
            }
            assertEquals(0, syncsForOneAckedMessage(server), "process: written to the OS, no fsync");
        }
    }

    @Test
    void h2WithPowerForcesEachCommitToDiskBeforeTheAck() throws Exception {
        try (TestServer server = TestServer.start(dataDir, Map.of("db.durability", "power"))) {
            assertTrue(syncsForOneAckedMessage(server) >= 1, "power: the message's commit was followed by CHECKPOINT SYNC");
        }
    }

    @Test
    void anH2UrlThatDelaysWritesIsRefused() {
        String url = "jdbc:h2:file:" + dataDir.resolve("custom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.open(
                Config.of(Map.of("db.url", url + ";WRITE_DELAY=500")), dataDir, new MetricRegistry()));
        assertTrue(e.getMessage().contains("WRITE_DELAY=500"), e.getMessage());
        Database.open(Config.of(Map.of("db.url", url + ";write_delay=0")), dataDir, new MetricRegistry()).close();
    }

    private static Map<String, String> pg(Postgres pg, String durability) {
        Map<String, String> settings = new HashMap<>();
        settings.put("db.url", pg.jdbcUrl());
        settings.put("db.user", Postgres.USER);
        settings.put("db.durability", durability);
        return settings;
    }

    @Test
    void postgresWithoutFsyncOrSynchronousCommitIsRefusedForPower() throws Exception {
        try (Postgres pg = Postgres.start(false)) { // fsync=off
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Database.open(Config.of(pg(pg, "power")), dataDir, new MetricRegistry()));
            assertTrue(e.getMessage().contains("fsync=off") && !e.getMessage().contains("synchronous_commit=off"), e.getMessage());
            Database.open(Config.of(pg(pg, "process")), dataDir, new MetricRegistry()).close(); // a Switchboard crash loses nothing

            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), Postgres.USER, "");
                 Statement s = c.createStatement()) {
                s.execute("ALTER ROLE " + Postgres.USER + " SET synchronous_commit = off");
            }
            e = assertThrows(IllegalStateException.class,
                    () -> Database.open(Config.of(pg(pg, "power")), dataDir, new MetricRegistry()));
            assertTrue(e.getMessage().contains("fsync=off and synchronous_commit=off"), e.getMessage());
            Database.open(Config.of(pg(pg, "process")), dataDir, new MetricRegistry()).close(); // with a warning
        }
    }

    @Test
    void postgresWithFsyncAndSynchronousCommitKeepsThePowerPromise() throws Exception {
        try (Postgres pg = Postgres.start(true)) {
            Database.open(Config.of(pg(pg, "power")), dataDir, new MetricRegistry()).close();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), Postgres.USER, "");
                 Statement s = c.createStatement()) {
                s.execute("ALTER ROLE " + Postgres.USER + " SET synchronous_commit = off");
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Database.open(Config.of(pg(pg, "power")), dataDir, new MetricRegistry()));
            assertTrue(e.getMessage().contains("synchronous_commit=off") && !e.getMessage().contains("fsync=off"), e.getMessage());
        }
    }
}
