package io.switchboard.cluster;

import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's claim on a shared PostgreSQL database, so that nodes that would corrupt each other's view refuse to
 * start. A single node (no {@code redis.url}) keeps sequences, presence and bans in its own memory: it takes a
 * session-level EXCLUSIVE advisory lock. Cluster nodes take the SHARED lock on the same key. So a second single node,
 * or a single node beside cluster nodes (or the other way round), is refused at start.
 *
 * <p>The lock lives as long as its session: it is held on a dedicated connection (outside the pool, which would
 * recycle it) for the life of the process, and dies with the process however it ends. Should the session be lost
 * (PostgreSQL restarted), the claim is taken again within {@link #CHECK_PERIOD_SECONDS} seconds; if another node
 * took the conflicting lock meanwhile, that is logged as an error (this node cannot refuse to start any more).
 */
public final class DatabaseClaim implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseClaim.class);
    /** The advisory lock key, shared by every Switchboard version: ASCII "SwtchBrd". */
    public static final long LOCK_KEY = 0x5377_7463_6842_7264L;
    /** The refusal, as the cluster design states it. */
    public static final String REFUSAL = "another Switchboard node uses this database, and one of the two has no"
            + " redis.url: set redis.url on every node to run them as a cluster (or run a single node only)";
    static final int CHECK_PERIOD_SECONDS = 5;

    private final String url;
    private final Properties credentials;
    private final boolean shared;
    private final ScheduledExecutorService keeper;
    private volatile Connection session;
    private volatile boolean lost;

    private DatabaseClaim(String url, Properties credentials, boolean shared, Connection session) {
        this.url = url;
        this.credentials = credentials;
        this.shared = shared;
        this.session = session;
        this.keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-db-claim");
            t.setDaemon(true);
            return t;
        });
        keeper.scheduleWithFixedDelay(this::keep, CHECK_PERIOD_SECONDS, CHECK_PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Takes the claim for a PostgreSQL {@code db.url}: shared when {@code redis.url} is set, exclusive otherwise.
     * Returns null for any other database (the embedded H2 is guarded by the data dir lock).
     *
     * @throws IllegalStateException with {@link #REFUSAL} when a conflicting node holds the lock, or naming the
     *         database problem when it cannot be reached
     */
    public static DatabaseClaim take(Config config) {
        String url = config.get(Keys.DB_URL);
        if (!url.startsWith("jdbc:postgresql:")) return null;
        Properties credentials = new Properties();
        if (!config.get(Keys.DB_USER).isEmpty()) credentials.setProperty("user", config.get(Keys.DB_USER));
        if (!config.get(Keys.DB_PASSWORD).isEmpty()) credentials.setProperty("password", config.get(Keys.DB_PASSWORD));
        credentials.setProperty("ApplicationName", "switchboard-claim");
        credentials.setProperty("connectTimeout", "10");
        boolean shared = RedisSettings.configured(config);
        Connection session;
        try {
            session = open(url, credentials);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open database " + io.switchboard.config.Config.redactUrl(url)
                    + " to claim it: " + e.getMessage(), e);
        }
        try {
            if (!lock(session, shared)) {
                close(session);
                throw new IllegalStateException("This node " + (shared ? "(cluster mode)" : "(single mode, no redis.url)")
                        + " cannot start: " + REFUSAL);
            }
        } catch (SQLException e) {
            close(session);
            throw new IllegalStateException("Cannot take the database's advisory lock: " + e.getMessage(), e);
        }
        log.info("Database claimed ({} advisory lock {})", shared ? "shared: cluster node" : "exclusive: single node", LOCK_KEY);
        return new DatabaseClaim(url, credentials, shared, session);
    }

    private static Connection open(String url, Properties credentials) throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }

    private static boolean lock(Connection c, boolean shared) throws SQLException {
        String sql = shared ? "SELECT pg_try_advisory_lock_shared(?)" : "SELECT pg_try_advisory_lock(?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** True while the claim is held (false after the session was lost and could not be claimed again yet). */
    public boolean held() {
        return !lost;
    }

    /** Whether this is a cluster node's shared claim (else a single node's exclusive one). */
    public boolean shared() {
        return shared;
    }

    private void keep() {
        try {
            Connection c = session;
            if (c != null && c.isValid(2)) return;
            if (c != null) close(c);
            Connection fresh = open(url, credentials);
            if (lock(fresh, shared)) {
                session = fresh;
                if (lost) log.info("Database claim taken again");
                lost = false;
            } else {
                close(fresh);
                session = null;
                if (!lost) log.error("Lost the database session and cannot claim it again: {}", REFUSAL);
                lost = true;
            }
        } catch (SQLException e) {
            session = null;
            if (!lost) log.warn("Database claim lost with its session ({}); claiming it again every {} s",
                    e.getMessage(), CHECK_PERIOD_SECONDS);
            lost = true;
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the session ends with the socket either way
        }
    }

    /**
     * Releases the claim. Idempotent. Unlocks explicitly before closing the session: PostgreSQL drops a closed
     * session's locks only when its backend has exited, a moment after the client hung up, and a node restarted at
     * once would be refused by its own previous life.
     */
    @Override
    public void close() {
        keeper.shutdownNow();
        Connection c = session;
        session = null;
        if (c == null) return;
        String sql = shared ? "SELECT pg_advisory_unlock_shared(?)" : "SELECT pg_advisory_unlock(?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(5);
            ps.setLong(1, LOCK_KEY);
            ps.executeQuery().close();
        } catch (SQLException e) {
            log.debug("Releasing the database claim: {}", e.getMessage()); // the session's end releases it anyway
        }
        close(c);
    }
}
