package io.switchboard;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.Secrets;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigKey;
import io.switchboard.config.Keys;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Command line: {@code serve} (default) runs the server; {@code token} prints a client token. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String command = !rest.isEmpty() && !rest.get(0).startsWith("-") ? rest.remove(0) : "serve";
        if (rest.contains("--help") || rest.contains("-h") || command.equals("help")) {
            usage(System.out);
            return;
        }
        if (rest.contains("--version")) {
            System.out.println("switchboard " + version());
            return;
        }
        try {
            switch (command) {
                case "serve" -> serve(rest);
                case "token" -> token(rest);
                case "reset-epoch" -> resetEpoch(rest);
                default -> {
                    System.err.println("Unknown command '" + command + "'. Try --help.");
                    System.exit(2);
                }
            }
        } catch (ConfigException | IllegalArgumentException e) {
            fail(2, e.getMessage()); // the command line or configuration is wrong
        } catch (CommandFailed e) {
            fail(1, e.getMessage());
        } catch (RuntimeException e) {
            // Never a stack trace on the terminal: one line that says what went wrong.
            fail(1, "unexpected error: " + oneLine(e));
        }
    }

    /** The command was well-formed but could not be carried out (such as a missing or unusable data dir). */
    static final class CommandFailed extends RuntimeException {
        CommandFailed(String message) {
            super(message);
        }
    }

    private static void fail(int exitCode, String message) {
        System.err.println("switchboard: " + message);
        flushLogs();
        System.exit(exitCode);
    }

    /** An exception and its causes as one line, for a terminal. */
    static String oneLine(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 500; t = t.getCause() == t ? null : t.getCause()) {
            String what = t instanceof java.nio.file.FileSystemException fs ? fileProblem(fs, b)
                    : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (b.indexOf(what) >= 0) continue; // wrappers often repeat their cause's message
            if (b.length() > 0) b.append(": ");
            b.append(what);
        }
        return b.toString().replaceAll("[\\r\\n]+\\s*", " ");
    }

    private static String fileProblem(java.nio.file.FileSystemException e, CharSequence saidSoFar) {
        String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        return e.getFile() == null || saidSoFar.toString().contains(e.getFile()) ? why : e.getFile() + ": " + why;
    }

    private static void serve(List<String> flags) {
        long t0 = System.nanoTime();
        Config config = Config.load(System.getenv(), flags);
        setLogLevel(config.get(Keys.LOG_LEVEL));
        SwitchboardServer server;
        try {
            server = SwitchboardServer.create(config).start();
        } catch (ConfigException e) {
            throw e; // exit 2, like every other configuration error
        } catch (RuntimeException e) {
            log.error("Start-up failed: {}", oneLine(e));
            flushLogs();
            System.exit(1);
            return;
        }
        installShutdown(server, config.get(Keys.SHUTDOWN_GRACE));
        String host = config.get(Keys.HOST);
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        String base = shown + ":" + server.port();
        log.info("Switchboard {} listening on {}:{} (database {}, node {}) - started in {} ms",
                version(), host, server.port(), server.database().kind(), server.installationId(),
                (System.nanoTime() - t0) / 1_000_000);
        log.info("Console:   http://{}/console/", base);
        if (config.get(Keys.DEMO)) {
            log.warn("DEMO MODE IS ON: anyone can get a client token from /demo/token. Never enable it in production.");
            log.info("Demo chat: http://{}/chat/", base);
        }
        log.info("WebSocket: ws://{}/ws?token=<client token>  (java -jar switchboard.jar token <user>)", base);
    }

    /**
     * SIGTERM and SIGINT drain, stop gracefully and exit 0 (see {@link SwitchboardServer#shutdown()}); past the
     * grace period the process is stopped hard (exit 1).
     */
    private static void installShutdown(SwitchboardServer server, Duration grace) {
        Runnable shutdown = () -> {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(grace.toMillis());
                    log.error("Graceful shutdown exceeded {} ms; stopping hard", grace.toMillis());
                    flushLogs();
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException ignored) {
                    // shutdown finished in time
                }
            }, "switchboard-shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            log.info("Shutting down: draining first (drain.delay {}, drain.window {})",
                    io.switchboard.config.Durations.format(server.drain().delay()),
                    io.switchboard.config.Durations.format(server.drain().window()));
            server.shutdown();
            watchdog.interrupt();
        };
        Signal.handle(new Signal("TERM"), s -> exitAfter(shutdown));
        Signal.handle(new Signal("INT"), s -> exitAfter(shutdown));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "switchboard-shutdown-hook"));
    }

    private static void exitAfter(Runnable shutdown) {
        Thread t = new Thread(() -> {
            shutdown.run();
            flushLogs();
            System.exit(0);
        }, "switchboard-shutdown");
        // Signal handlers run on daemon threads, and a thread inherits that. A daemon here let the JVM exit (0) as
        // soon as Jetty's pool threads ended inside stop(): before queued messages were stored, the database was
        // closed or the 1001 closes went out.
        t.setDaemon(false);
        t.start();
    }

    private static void token(List<String> args) {
        String user = null;
        Duration ttl = Duration.ofHours(1);
        String name = null;
        List<String> rooms = null;
        List<String> configFlags = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--ttl" -> { ttl = parseTtl(require(a, value)); i++; }
                case "--name" -> { name = require(a, value); i++; }
                case "--rooms" -> { rooms = Arrays.stream(require(a, value).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(); i++; }
                default -> {
                    if (a.startsWith("--")) {
                        configFlags.add(a);
                        if (!a.contains("=") && value != null) { configFlags.add(value); i++; }
                    } else if (user == null) {
                        user = a;
                    } else {
                        throw new IllegalArgumentException("unexpected argument '" + a + "'");
                    }
                }
            }
        }
        if (user == null) throw new IllegalArgumentException("usage: token <user> [--ttl 1h] [--name NAME] [--rooms a,b]");
        // Refused before reading the secret or the data dir: a reserved or malformed user is the caller's mistake.
        String claimsProblem = ClientTokens.claimsProblem(user, name, rooms);
        if (claimsProblem != null) throw new IllegalArgumentException(claimsProblem);
        Config config = Config.load(System.getenv(), configFlags);
        setLogLevel("WARN");
        Path dataDir = Path.of(config.get(Keys.DATA_DIR));
        String configured = config.get(Keys.JWT_SECRET);
        if (configured.isEmpty() && java.nio.file.Files.exists(dataDir) && !java.nio.file.Files.isDirectory(dataDir)) {
            throw new CommandFailed("data dir " + dataDir.toAbsolutePath().normalize() + " is not a directory");
        }
        if (configured.isEmpty() && !java.nio.file.Files.isDirectory(dataDir)) {
            // A token signed with a secret made up here would be refused by the server; say where to look instead.
            throw new CommandFailed("no data dir at " + dataDir.toAbsolutePath().normalize()
                    + ": run this where the server keeps its data, or pass --data-dir DIR (the server's data.dir)"
                    + " or set jwt.secret");
        }
        String secret;
        try {
            secret = Secrets.configuredOrStored(configured, dataDir, "jwt.secret", "Client token secret");
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw new CommandFailed(oneLine(e)); // names the file and the reason
        }
        System.out.println(new ClientTokens(secret, Clock.systemUTC()).issue(user, ttl, name, rooms));
    }

    private static Duration parseTtl(String s) {
        try {
            Duration d = io.switchboard.config.Durations.parse(s);
            if (d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) throw new IllegalArgumentException("out of range");
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ttl must be a duration from 1s to 365d, such as 30m, 12h or 7d");
        }
    }

    private static String require(String flag, String value) {
        if (value == null) throw new IllegalArgumentException(flag + " needs a value");
        return value;
    }

    private static void setLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger("io.switchboard").setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    private static void flushLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) ctx.stop();
    }

    /**
     * Gives the store a new epoch, so that every client drops its positions and pages history again: for use after
     * restoring a backup (or anything else that may have taken messages clients saw). Takes the data dir lock, so it
     * refuses to run beside a live server on the same data dir; on PostgreSQL, stop every node first.
     */
    private static void resetEpoch(List<String> flags) {
        Config config = Config.load(System.getenv(), flags);
        setLogLevel("WARN");
        java.nio.file.Path dataDir = java.nio.file.Path.of(config.get(Keys.DATA_DIR));
        try (io.switchboard.store.DataDirLock lock = io.switchboard.store.DataDirLock.acquire(dataDir);
             io.switchboard.store.Database db = io.switchboard.store.Database.open(config, dataDir,
                     new com.codahale.metrics.MetricRegistry())) {
            String epoch = io.switchboard.chat.StoreEpoch.reset(new io.switchboard.chat.ChatStore(db.dataSource()));
            System.out.println("New epoch " + epoch + ": clients drop their positions and page history again.");
        } catch (java.sql.SQLException e) {
            throw new CommandFailed("could not reset the epoch: " + oneLine(e));
        } catch (IllegalStateException e) {
            throw new CommandFailed(oneLine(e));
        }
    }

    static String version() {
        return SwitchboardServer.version();
    }

    private static void usage(PrintStream out) {
        out.println("""
                Switchboard - real-time chat server

                Usage:
                  java -jar switchboard.jar [serve] [--key value ...]   run the server
                  java -jar switchboard.jar token <user> [--ttl 1h] [--name NAME] [--rooms a,b] [--data-dir DIR]
                                                                        print a client token
                  java -jar switchboard.jar reset-epoch [--key value ...]
                                                        new epoch for every room and DM stream (after restoring a
                                                        backup; the server must be stopped)
                  java -jar switchboard.jar --version | --help

                Configuration (flag / environment variable / default):""");
        for (ConfigKey<?> k : Keys.ALL) {
            out.printf("  %-32s %-40s %s%n    %s%n", k.flag(), k.envVar(), k.secret() ? "(secret)" : k.defaultValue(), k.description());
        }
    }
}
