package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the fleet targets ({@code pg}, {@code cluster}) of one invocation share: one PostgreSQL cluster, started at
 * the first trial that needs it and stopped at the end of the run (its log kept as {@code postgres.log} in the work
 * dir), a fresh database name per trial, and the admin token given to every node.
 */
final class Services implements AutoCloseable {
    private final Path work;
    private final boolean fsync;
    final String adminToken;
    private final AtomicInteger databases = new AtomicInteger();
    private PostgresServer postgres;

    Services(Path work, boolean fsync, String adminToken) {
        this.work = work;
        this.fsync = fsync;
        this.adminToken = adminToken;
    }

    /**
     * Fails, saying what to install, unless every program the given targets need is on this machine (checked before
     * anything runs).
     */
    static void check(java.util.Collection<ServerProcess.Target> targets) throws IOException {
        boolean pg = false;
        boolean cluster = false;
        for (ServerProcess.Target t : targets) {
            pg |= t.fleet();
            cluster |= t == ServerProcess.Target.CLUSTER;
        }
        if (pg) {
            PostgresServer.binaries();
            Haproxy.binary();
        }
        if (cluster) RedisProcess.binary();
    }

    synchronized PostgresServer postgres() throws IOException {
        if (postgres == null) postgres = PostgresServer.start(fsync);
        return postgres;
    }

    /** A database name not used before in this invocation, e.g. {@code bench_3_f_1_s_cluster}. */
    String nextDatabase(String step, String target) {
        String base = ("bench_" + databases.incrementAndGet() + "_" + step + "_" + target).toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        return base.length() > 63 ? base.substring(0, 63) : base;
    }

    @Override
    public synchronized void close() {
        if (postgres != null) postgres.close(work.resolve("postgres.log"));
        postgres = null;
    }
}
