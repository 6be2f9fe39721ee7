package io.switchboard.store;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection pool and schema migrations. Embedded H2 in the data dir unless a JDBC URL is configured. */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final String kind;
    private final MigrateResult migration;

    private Database(HikariDataSource pool, String kind, MigrateResult migration) {
        this.pool = pool;
        this.kind = kind;
        this.migration = migration;
    }

    public static Database open(Config config, Path dataDir, MetricRegistry metrics) {
        String url = config.get(Keys.DB_URL);
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
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .loggers("slf4j")
                    .load()
                    .migrate();
            String kind = url.startsWith("jdbc:h2:") ? "H2" : url.startsWith("jdbc:postgresql:") ? "PostgreSQL" : "JDBC";
            log.info("Database {} ready: schema version {} ({} migration(s) applied now)",
                    kind, result.targetSchemaVersion, result.migrationsExecuted);
            return new Database(pool, kind, result);
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Database migration failed: " + rootMessage(e), e);
        }
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

    public DataSource dataSource() {
        return pool;
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
        pool.close();
    }
}
