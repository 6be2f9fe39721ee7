package io.switchboard.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 file close to the size of its live data while every commit writes its own chunk.
 * Experimental and off by default ({@code db.h2.compact.interval=0}): with it on, a kill -9 crash test once lost
 * acked messages, and the cause is not known yet (docs/architecture.md, Durability).
 *
 * <p>With {@code WRITE_DELAY=0} each commit appends an MVStore chunk (about 2 KB per message in small batches),
 * most of which is dead a few commits later, and H2's background thread, which would rewrite sparse chunks, does
 * not run (it only exists with a write delay, which would break the ack's promise). This task does that
 * housekeeping on its own daemon thread: every {@code interval} it reaches the open database's {@link MVStore}
 * through a pooled connection and, while the chunks' fill rate is below H2's {@code AUTO_COMPACT_FILL_RATE}
 * (90 % unless the URL sets it) and the run's time budget lasts, rewrites the live pages of the sparsest chunks
 * ({@link MVStore#compact(int, int)}, the call H2's own housekeeping makes) and commits them. Chunks left without live
 * pages are freed by the next commit and their space is reused. Each step holds H2's store lock for a few
 * milliseconds, like a commit, and the task pauses as long as the step took before the next, so commits never wait
 * behind a whole run.
 *
 * <p>Durability: compaction copies live pages into a new chunk, and H2 frees the old chunk only after a version
 * without it was stored and no open transaction or reader still uses an older one; after a crash H2 opens the
 * newest complete chunk, as without compaction. The retention time (how old a dead chunk must be before its space is
 * reused) is {@code db.h2.retention}: H2's 45 s by default, which keeps the file consistent through a power loss
 * without fsync; 0 reuses space at once, safe against a crash of the process only. With
 * {@code power} durability the task makes no commit of its own (see {@link #compact}): every version is then
 * written by an application commit that is forced to disk before its writer goes on.
 */
final class H2Compactor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(H2Compactor.class);
    /** Live bytes one step may rewrite: about 5-15 ms of store lock on a 2-core machine. */
    static final int STEP_BYTES = 1 << 20;

    private final DataSource pool;
    private final int retentionMillis;
    private final long budgetNanos;
    private final boolean sync;
    private final ScheduledExecutorService thread;
    private volatile boolean stopping;
    private volatile boolean failing;
    private volatile long rewrites;

    private H2Compactor(DataSource pool, Duration budget, Duration retention, boolean sync) {
        this.pool = pool;
        this.retentionMillis = (int) Math.min(Integer.MAX_VALUE, retention.toMillis());
        this.budgetNanos = budget.toNanos();
        this.sync = sync;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-h2-compact");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts compacting every {@code interval} (first run after one interval) when {@code pool} opens an embedded
     * H2 file database; returns null for other databases (a server or in-memory H2 has no local file to keep small).
     *
     * @param pool    connections straight to H2 (not the syncing wrapper); one is borrowed for a moment per run
     * @param budget  longest time one run keeps compacting
     * @param sync    {@code db.durability=power}: leave writing (and syncing) the copies to the application's commits
     * @throws SQLException when no connection can be had to look at the database
     */
    static H2Compactor start(DataSource pool, Duration interval, Duration budget, Duration retention, boolean sync)
            throws SQLException {
        MVStore store;
        try (Connection c = pool.getConnection()) {
            store = fileStoreOf(c);
        }
        if (store == null) {
            log.info("H2 compaction off: not an embedded H2 file database");
            return null;
        }
        H2Compactor compactor = new H2Compactor(pool, budget, retention, sync);
        long ms = interval.toMillis();
        compactor.thread.scheduleWithFixedDelay(compactor::runOnce, ms, ms, TimeUnit.MILLISECONDS);
        log.info("H2 compaction every {} ms, at most {} ms per run", ms, budget.toMillis());
        return compactor;
    }

    /** The MVStore behind an embedded H2 connection, or null for a remote, in-memory or other database. */
    static MVStore fileStoreOf(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)) return null;
        if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) return null;
        var store = session.getDatabase().getStore();
        if (store == null) return null;
        MVStore mv = store.getMvStore();
        return mv.getFileStore() == null || mv.getFileStore().isReadOnly() ? null : mv;
    }

    /** How many compaction steps rewrote pages so far (for tests and diagnostics). */
    long rewrites() {
        return rewrites;
    }

    /** One run; never throws (an exception would cancel the schedule). */
    void runOnce() {
        if (stopping) return;
        try {
            MVStore mv;
            int target;
            // Borrowed only to find the store: the pool may have replaced the database since the last run.
            try (Connection c = pool.getConnection()) {
                mv = fileStoreOf(c);
                if (mv == null) return;
                target = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getSettings().autoCompactFillRate;
            }
            compact(mv, Math.min(100, Math.max(1, target)));
            if (failing) log.info("H2 compaction works again");
            failing = false;
        } catch (Exception | AssertionError e) {
            // The database may be closing or broken; the pool, /ready and the writers report that. Say it once.
            if (!failing) log.warn("H2 compaction failed (retried every interval): {}", e.toString());
            failing = true;
        }
    }

    private void compact(MVStore mv, int targetFillRate) {
        if (mv.getRetentionTime() != retentionMillis) mv.setRetentionTime(retentionMillis);
        FileStore<?> file = mv.getFileStore();
        long start = System.nanoTime();
        long sizeBefore = file.size();
        int steps = 0;
        if (sync) {
            // power: no commit of our own. The next application commit writes the copies and forces them to disk
            // (CHECKPOINT SYNC) before its writer commits again, so every version on the file is synced by the
            // thread that wrote it before that thread can reuse a chunk the version freed. Without a commit the
            // chunks' fill rate only changes then, so one step per run.
            if (file.getChunksFillRate() < targetFillRate && mv.compact(targetFillRate, STEP_BYTES)) steps++;
        } else {
            long stop = start + budgetNanos;
            while (!stopping && !mv.isClosed() && file.getChunksFillRate() < targetFillRate) {
                long t0 = System.nanoTime();
                // false also when a commit held the store lock for 10 ms: try again within the budget.
                if (mv.compact(targetFillRate, STEP_BYTES)) {
                    mv.commit();
                    steps++;
                }
                long now = System.nanoTime();
                if (now - stop >= 0) break;
                // Let waiting commits take the store lock before the next step (the lock is not fair).
                LockSupport.parkNanos(Math.max(1_000_000L, now - t0));
            }
        }
        if (steps > 0) {
            rewrites += steps;
            if (log.isDebugEnabled()) {
                log.debug("H2 compaction: {} step(s) in {} ms, chunks {}% full, file {} -> {} bytes", steps,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), file.getChunksFillRate(), sizeBefore,
                        file.size());
            }
        }
    }

    /**
     * Stops the task and waits for a running step to end (a step is short); the database stays open. The thread is
     * not interrupted: an interrupt during H2's file I/O closes the file channel and H2 would stop the database.
     */
    @Override
    public void close() {
        stopping = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) log.warn("H2 compaction did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
