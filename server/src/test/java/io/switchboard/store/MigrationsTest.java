package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production migrations (sql/) run on a fresh data dir, once, and the installation keeps its identity. The
 * expected version is the newest shipped migration (V2 for the foundation; later features add more).
 */
@Timeout(60)
class MigrationsTest {
    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__.+\\.sql");

    @TempDir
    Path dataDir;

    /** Versions of the production migrations Flyway sees (classpath db/migration, copied from sql/), in order. */
    private static List<String> shippedVersions() {
        URL dir = MigrationsTest.class.getClassLoader().getResource("db/migration");
        assertNotNull(dir, "db/migration on the class path");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(f -> f.getFileName().toString())
                    .map(MIGRATION::matcher)
                    .filter(Matcher::matches)
                    .map(m -> m.group(1))
                    .sorted(Comparator.comparingInt(Integer::parseInt))
                    .toList();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    private static List<String> appliedVersions(DataSource ds) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
            while (rs.next()) versions.add(rs.getString(1));
        }
        return versions;
    }

    private static Set<String> tables(DataSource ds) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Connection c = ds.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema == null || !schema.equalsIgnoreCase("INFORMATION_SCHEMA")) {
                        names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        return names;
    }

    private static int installationRows(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM installation")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theShippedMigrationsIncludeTheFoundationSchema() {
        List<String> shipped = shippedVersions();
        assertTrue(shipped.size() >= 2 && shipped.get(0).equals("1") && shipped.get(1).equals("2"), "shipped: " + shipped);
    }

    @Test
    void aFreshDataDirIsMigratedToTheLatestShippedVersionWithTheChatTables() throws SQLException {
        List<String> shipped = shippedVersions();
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            DataSource ds = server.server().database().dataSource();
            assertEquals(shipped, appliedVersions(ds), "every shipped migration ran, in order");
            assertEquals(shipped.size(), server.server().database().migrationsApplied());
            assertTrue(tables(ds).containsAll(Set.of("installation", "rooms", "messages", "memberships", "dm_streams", "dm_entries", "message_ids", "store_state")),
                    "tables: " + tables(ds));
        }
    }

    @Test
    void aFreshDataDirGetsExactlyOneInstallationRow() throws SQLException {
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            assertEquals(1, installationRows(server.server().database().dataSource()));
            assertFalse(server.server().installationId().isBlank());
        }
    }

    @Test
    void aRestartOnTheSameDataDirAppliesNoMigrationsAndKeepsTheInstallationId() throws SQLException {
        TestServer first = TestServer.start(dataDir, Map.of());
        String id = first.server().installationId();
        List<String> shipped = shippedVersions();
        assertEquals(shipped.size(), first.server().database().migrationsApplied());

        TestServer second = first.restart();
        try {
            assertEquals(0, second.server().database().migrationsApplied());
            assertEquals(id, second.server().installationId());
            DataSource ds = second.server().database().dataSource();
            assertEquals(shipped, appliedVersions(ds));
            assertEquals(1, installationRows(ds), "a restart adds no second installation row");
        } finally {
            second.close();
        }
    }

    @Test
    void twoFreshDataDirsAreTwoDifferentInstallations(@TempDir Path otherDir) {
        try (TestServer a = TestServer.start(dataDir, Map.of()); TestServer b = TestServer.start(otherDir, Map.of())) {
            assertFalse(a.server().installationId().equals(b.server().installationId()));
        }
    }
}
