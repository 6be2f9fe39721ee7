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
                default -> {
                    System.err.println("Unknown command '" + command + "'. Try --help.");
                    System.exit(2);
                }
            }
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void serve(List<String> flags) {
        long t0 = System.nanoTime();
        Config config = Config.load(System.getenv(), flags);
        setLogLevel(config.get(Keys.LOG_LEVEL));
        SwitchboardServer server;
        try {
            server = SwitchboardServer.create(config).start();
        } catch (RuntimeException e) {
            log.error("Start-up failed: {}", e.getMessage());
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

    /** SIGTERM and SIGINT stop gracefully and exit 0; past the grace period the process is stopped hard. */
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
            log.info("Shutting down");
            server.stop();
            watchdog.interrupt();
        };
        Signal.handle(new Signal("TERM"), s -> exitAfter(shutdown));
        Signal.handle(new Signal("INT"), s -> exitAfter(shutdown));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "switchboard-shutdown-hook"));
    }

    private static void exitAfter(Runnable shutdown) {
        new Thread(() -> {
            shutdown.run();
            flushLogs();
            System.exit(0);
        }, "switchboard-shutdown").start();
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
        Config config = Config.load(System.getenv(), configFlags);
        setLogLevel("WARN");
        String secret = Secrets.configuredOrStored(config.get(Keys.JWT_SECRET), Path.of(config.get(Keys.DATA_DIR)),
                "jwt.secret", "Client token secret");
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
                  java -jar switchboard.jar --version | --help

                Configuration (flag / environment variable / default):""");
        for (ConfigKey<?> k : Keys.ALL) {
            out.printf("  %-32s %-40s %s%n    %s%n", k.flag(), k.envVar(), k.secret() ? "(secret)" : k.defaultValue(), k.description());
        }
    }
}
