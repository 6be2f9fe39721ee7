package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A throw-away PostgreSQL cluster for the {@code pg} and {@code cluster} targets: made with the system's
 * {@code initdb} in a temporary directory and started with {@code pg_ctl} on a free loopback port (TCP only, trust
 * authentication, role {@value #USER}). PostgreSQL refuses to run as root, so as root every server command runs as
 * the {@code postgres} user through {@code runuser}. One cluster serves a whole invocation; each trial gets a fresh
 * database ({@link #createDatabase}). {@link #close} stops it (fast, then immediate) and deletes it, keeping its log.
 */
final class PostgresServer implements AutoCloseable {
    static final String USER = "switchboard";
    private static final Duration COMMAND = Duration.ofSeconds(60);
    /** Clusters still running; stopped if the harness itself is stopped mid-run. */
    private static final Set<PostgresServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PostgresServer::stopNow), "bench-stop-postgres"));
    }

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private final boolean fsync;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres, boolean fsync) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
        this.fsync = fsync;
    }

    /** The newest installed server's {@code bin} directory, or an error saying how to install one. */
    static Path binaries() throws IOException {
        Path bin = Tools.postgresBin(Path.of("/usr/lib/postgresql"));
        if (bin != null) return bin;
        Path pgCtl = Tools.find("pg_ctl", List.of(), System.getenv("PATH"),
                "the PostgreSQL server (apt-get install postgresql): the pg and cluster targets need initdb and pg_ctl");
        return pgCtl.getParent();
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Creates and starts a cluster. {@code fsync=false} (the default of the harness) keeps commits in the OS page
     * cache like Switchboard's default H2 durability; {@code synchronous_commit} stays on, so a commit is in
     * PostgreSQL's WAL before Switchboard acks.
     */
    static PostgresServer start(boolean fsync) throws IOException {
        Path bin = binaries();
        boolean asPostgres = root();
        if (asPostgres) Tools.find("runuser", List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser")), System.getenv("PATH"),
                "util-linux (runuser): as root, PostgreSQL must be run as the postgres user");
        // Not under the bench's work dir: the postgres user must be able to reach it.
        Path dir = Files.createTempDirectory("switchboard-bench-pg");
        PostgresServer pg = new PostgresServer(bin, dir, ServerProcess.freePort(), asPostgres, fsync);
        try {
            if (asPostgres) Tools.run(COMMAND, List.of("chown", "-R", "postgres:postgres", dir.toString()));
            pg.server(bin.resolve("initdb").toString(), "-D", pg.data().toString(), "-A", "trust", "-U", USER, "--no-sync",
                    "-E", "UTF8", "--locale=C.UTF-8");
            LIVE.add(pg);
            pg.server(bin.resolve("pg_ctl").toString(), "-w", "-t", "30", "-D", pg.data().toString(), "-l", pg.log().toString(),
                    "-o", "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=" + (fsync ? "on" : "off"), "start");
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw new IOException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    private void server(String... command) throws IOException {
        List<String> c = new ArrayList<>();
        if (asPostgres) c.addAll(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(List.of(command));
        Tools.run(COMMAND, c);
    }

    /** A new empty database; returns its JDBC URL (user {@value #USER}, no password). */
    String createDatabase(String name) throws IOException {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) throw new IllegalArgumentException("bad database name " + name);
        // Trust authentication over TCP: any OS user may connect as the role.
        Tools.run(COMMAND, List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", USER, name));
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    boolean fsync() {
        return fsync;
    }

    /** The postmaster and its children (backends, WAL writer, checkpointer, …), for their CPU. */
    List<Long> pids() {
        List<Long> out = new ArrayList<>();
        try {
            String first = Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim();
            long postmaster = Long.parseLong(first);
            out.add(postmaster);
            out.addAll(ProcStats.children(postmaster));
        } catch (IOException | RuntimeException e) {
            // not running: no figures
        }
        return out;
    }

    /** Stops the cluster (fast shutdown, else immediate), copies its log to {@code keepLogAs} and deletes it. */
    void close(Path keepLogAs) {
        LIVE.remove(this);
        if (Files.isRegularFile(data().resolve("postmaster.pid"))) {
            try {
                server(bin.resolve("pg_ctl").toString(), "-w", "-t", "20", "-D", data().toString(), "-m", "fast", "stop");
            } catch (IOException e) {
                stopNow();
            }
        }
        if (keepLogAs != null && Files.isRegularFile(log())) {
            try {
                Files.createDirectories(keepLogAs.getParent());
                Files.copy(log(), keepLogAs, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the log is a convenience
            }
        }
        Tools.deleteTree(dir);
    }

    @Override
    public void close() {
        close(null);
    }

    private void stopNow() {
        try {
            server(bin.resolve("pg_ctl").toString(), "-w", "-t", "10", "-D", data().toString(), "-m", "immediate", "stop");
        } catch (IOException ignored) {
            // nothing more to do from here
        }
    }
}
