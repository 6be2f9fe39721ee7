package io.switchboard.store;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import io.switchboard.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection pool and schema migrations. Embedded H2 in the data dir unless a JDBC URL is configured. */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    /** The pool, or on H2 with {@code db.durability=power} the pool behind a {@link SyncingDataSource}. */
    private final DataSource dataSource;
    private final String kind;
    private final MigrateResult migration;
    /** Embedded H2 with {@code db.h2.compact.interval} above 0: keeps the file small; otherwise null. */
    private final H2Compactor compactor;

    private Database(HikariDataSource pool, DataSource dataSource, String kind, MigrateResult migration,
                     H2Compactor compactor) {
        this.pool = pool;
        this.dataSource = dataSource;
        this.kind = kind;
        this.migration = migration;
        this.compactor = compactor;
    }

    /**
     * Opens the pool, checks that the database can keep {@code db.durability}'s promise, and migrates the schema.
     *
     * @throws IllegalStateException when the database cannot be opened or migrated, when an H2 URL sets a
     *         {@code WRITE_DELAY} other than 0, or when {@code db.durability=power} and PostgreSQL runs with
     *         {@code fsync} or {@code synchronous_commit} off (the message says which and how to fix it)
     */
    public static Database open(Config config, Path dataDir, MetricRegistry metrics) {
        String url = config.get(Keys.DB_URL);
        boolean power = Keys.DURABILITY_POWER.equals(config.get(Keys.DB_DURABILITY));
        HikariConfig hc = new HikariConfig();
        if (url.isBlank()) {
            // AUTO_SERVER stays off: the data dir lock already guarantees a single process.
            url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("switchboard")
                    + ";DB_CLOSE_ON_EXIT=FALSE;DEFAULT_LOCK_TIMEOUT=10000";
            hc.setUsername("sa");
            hc.setPassword("");
        } else {
            hc.setUsername(config.get(Keys.DB_USER));
            hc.setPassword(config.get(Keys.DB_PASSWORD));
        }
        if (url.startsWith("jdbc:h2:")) url = h2WriteOnCommit(url);
        hc.setJdbcUrl(url);
        hc.setPoolName("switchboard-db");
        hc.setMaximumPoolSize(config.get(Keys.DB_POOL_SIZE));
        hc.setMinimumIdle(2);
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setInitializationFailTimeout(10_000);
        hc.setMetricRegistry(metrics); // HikariCP's own tracker: switchboard-db.pool.*

        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot open database " + redact(url) + ": " + rootMessage(e), e);
        }
        DataSource forApp = pool;
        try {
            if (url.startsWith("jdbc:postgresql:")) checkPostgres(pool, power);
            if (power && url.startsWith("jdbc:h2:")) forApp = new SyncingDataSource(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        MigrateResult migration;
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .loggers("slf4j")
                    .load();
            MigrateResult result = flyway.migrate();
            // targetSchemaVersion is null when nothing was migrated now; the schema's own version is in info().
            var current = flyway.info().current();
            String schemaVersion = current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
            String kind = url.startsWith("jdbc:h2:") ? "H2" : url.startsWith("jdbc:postgresql:") ? "PostgreSQL" : "JDBC";
            if (forApp instanceof SyncingDataSource) {
                try (Connection c = pool.getConnection()) {
                    SyncingDataSource.sync(c); // the migrations, on the device before anything else is written
                }
            }
            log.info("Database {} ready: schema version {} ({} migration(s) applied now); durability {}: {}",
                    kind, schemaVersion, result.migrationsExecuted, power ? "power" : "process",
                    promise(kind, power));
            migration = result;
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("Database sync after migration failed: " + rootMessage(e), e);
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Database migration failed: " + rootMessage(e), e);
        }
        String kind = url.startsWith("jdbc:h2:") ? "H2" : url.startsWith("jdbc:postgresql:") ? "PostgreSQL" : "JDBC";
        try {
            H2Compactor compactor = "H2".equals(kind) ? h2Housekeeping(config, pool, power, metrics) : null;
            return new Database(pool, forApp, kind, migration, compactor);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Cannot look at the H2 database file: " + rootMessage(e), e);
        }
    }

    /**
     * The embedded H2 file's size as a gauge, and its compaction unless {@code db.h2.compact.interval} is 0. Null when
     * the URL names no local H2 file (a server or in-memory database).
     */
    private static H2Compactor h2Housekeeping(Config config, DataSource pool, boolean power, MetricRegistry metrics)
            throws SQLException {
        Path file;
        try (Connection c = pool.getConnection()) {
            org.h2.mvstore.MVStore store = H2Compactor.fileStoreOf(c);
            if (store == null) return null;
            file = Path.of(store.getFileStore().getFileName());
        }
        metrics.gauge(Metrics.DB_H2_FILE_BYTES, () -> () -> {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return -1L;
            }
        });
        Duration interval = config.get(Keys.DB_H2_COMPACT_INTERVAL);
        if (interval.isZero()) {
            log.info("H2 compaction off (db.h2.compact.interval=0): the database file grows while the server runs");
            return null;
        }
        log.warn("db.h2.compact.interval is experimental: a kill -9 test with compaction on lost acked messages"
                + " (docs/architecture.md, Durability); set it to 0 unless the file's growth is the greater risk");
        return H2Compactor.start(pool, interval, config.get(Keys.DB_H2_COMPACT_TIME), config.get(Keys.DB_H2_RETENTION), power);
    }

    /**
     * H2's MVStore keeps committed changes in memory and writes them to the file from a background thread every
     * {@code WRITE_DELAY} ms (500 by default): a kill -9 lost up to half a second of acked messages. With
     * {@code WRITE_DELAY=0} every commit stores its changes (MVStore.commit, a file write) before it returns,
     * so the commit is in the OS before the ack. A URL asking for a delay would break that promise: refused.
     */
    static String h2WriteOnCommit(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i);\\s*WRITE_DELAY\\s*=\\s*([^;]*)").matcher(url);
        if (m.find()) {
            if (!m.group(1).trim().equals("0")) {
                throw new IllegalStateException("db.url sets WRITE_DELAY=" + m.group(1).trim() + ": H2 would then ack"
                        + " commits it has not written yet, and a crash would lose them; remove it (Switchboard sets WRITE_DELAY=0)");
            }
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }

    /**
     * PostgreSQL keeps an ack through a Switchboard crash whenever the commit returned; {@code power} also needs
     * the commit's WAL on disk before it returns: {@code fsync} on and {@code synchronous_commit} not off.
     */
    private static void checkPostgres(DataSource pool, boolean power) {
        String fsync;
        String synchronousCommit;
        String fullPageWrites;
        try (Connection c = pool.getConnection()) {
            fsync = show(c, "fsync");
            synchronousCommit = show(c, "synchronous_commit");
            fullPageWrites = show(c, "full_page_writes");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read PostgreSQL's durability settings: " + rootMessage(e), e);
        }
        boolean syncOff = "off".equalsIgnoreCase(synchronousCommit);
        boolean fsyncOff = "off".equalsIgnoreCase(fsync);
        if (power && (syncOff || fsyncOff)) {
            throw new IllegalStateException("db.durability=power needs PostgreSQL to flush each commit to disk, but it runs with"
                    + (fsyncOff ? " fsync=off" : "") + (fsyncOff && syncOff ? " and" : "")
                    + (syncOff ? " synchronous_commit=off" : "") + ": a power loss would lose acked messages. Set"
                    + (fsyncOff ? " fsync = on (postgresql.conf)" : "") + (fsyncOff && syncOff ? " and" : "")
                    + (syncOff ? " synchronous_commit = on (postgresql.conf, or ALTER ROLE/DATABASE ... SET)" : "")
                    + ", or run with db.durability=process");
        }
        if (syncOff) {
            log.warn("PostgreSQL runs with synchronous_commit=off: acks survive a crash of Switchboard, but a crash of"
                    + " PostgreSQL or of the machine loses the last commits (up to 3 x wal_writer_delay)");
        } else if (fsyncOff) {
            log.info("PostgreSQL runs with fsync=off: acks survive a crash of Switchboard or of PostgreSQL, not a power"
                    + " loss or OS crash");
        }
        if (power && "off".equalsIgnoreCase(fullPageWrites)) {
            log.warn("PostgreSQL runs with full_page_writes=off: after a power loss a torn page can corrupt the database"
                    + " unless the file system rules torn writes out");
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    /** One line for the start-up log: what an ack survives here. */
    private static String promise(String kind, boolean power) {
        return switch (kind) {
            case "H2" -> power ? "each commit is forced to disk (fsync) before the ack"
                    : "each commit is written to the OS before the ack (survives kill -9, not a power loss)";
            case "PostgreSQL" -> power ? "PostgreSQL flushes each commit's WAL to disk before the ack"
                    : "each commit is in PostgreSQL before the ack";
            default -> "as the JDBC database keeps its commits";
        };
    }

    /** JDBC URLs may carry passwords as parameters; never print those. */
    static String redact(String url) {
        return Config.redactUrl(url);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    /** Connections for the application: every commit made through them keeps {@code db.durability}'s promise. */
    public DataSource dataSource() {
        return dataSource;
    }

    public HikariDataSource pool() {
        return pool;
    }

    public String kind() {
        return kind;
    }

    public int migrationsApplied() {
        return migration.migrationsExecuted;
    }

    /** True when the database answers a trivial query within the timeout. */
    public boolean ping(int timeoutSeconds) {
        try (Connection c = pool.getConnection()) {
            if (c.isValid(timeoutSeconds)) return true;
            // isValid=false throws nothing, so Hikari would hand this dead connection out again; within its 500 ms
            // alive-check bypass that kept /ready at 503 after the database was back.
            pool.evictConnection(c);
            return false;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (compactor != null) compactor.close(); // before H2 closes: its own close compacts the file too
        pool.close();
    }
}
