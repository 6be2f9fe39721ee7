package io.switchboard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real Switchboard JVM ({@code io.switchboard.Main}) on the test class path, with its merged stdout/stderr recorded. */
public final class SwitchboardProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();
    /** Where every output line is also appended (null: kept in memory only). */
    private final Path logFile;

    private record Waiter(Predicate<String> match, CompletableFuture<String> line) {}

    private SwitchboardProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
        Thread reader = new Thread(this::read, "switchboard-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -cp <test class path> io.switchboard.Main args...} with the given extra environment. */
    public static SwitchboardProcess start(Map<String, String> env, String... args) {
        return start(null, env, args);
    }

    /** Like {@link #start(Map, String...)}, run in {@code workDir} (null: the test's own working directory). */
    public static SwitchboardProcess start(Path workDir, Map<String, String> env, String... args) {
        return start(workDir, env, List.of(), null, args);
    }

    /**
     * Like {@link #start(Path, Map, String...)} with extra JVM options (e.g. {@code -Xmx256m}) before the main class,
     * and every output line also appended to {@code logFile} (null: none), so that it outlives the test's memory.
     */
    public static SwitchboardProcess start(Path workDir, Map<String, String> env, List<String> jvmArgs, Path logFile,
                                           String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        // The test class path carries logback-test.xml; the process under test logs as the shipped jar does.
        command.add("-Dlogback.configurationFile=logback.xml");
        command.add("io.switchboard.Main");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) pb.directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
        pb.environment().putAll(env);
        try {
            return new SwitchboardProcess(pb.start(), logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SwitchboardProcess start(String... args) {
        return start(Map.of(), args);
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             java.io.Writer log = logFile == null ? java.io.Writer.nullWriter()
                     : java.nio.file.Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                             java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = r.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                synchronized (this) {
                    lines.add(line);
                    for (Waiter w : waiters) if (w.match.test(line)) w.line.complete(line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone; outputEnded below tells the waiters
        } finally {
            synchronized (this) {
                for (Waiter w : waiters) w.line.completeExceptionally(new AssertionError("output ended; no matching line in:\n" + output()));
            }
            outputEnded.complete(null);
        }
    }

    /** The first output line containing {@code text}, waiting up to {@code timeout} for it. */
    public String awaitLine(String text, Duration timeout) {
        CompletableFuture<String> line = new CompletableFuture<>();
        synchronized (this) {
            for (String l : lines) if (l.contains(text)) return l;
            if (outputEnded.isDone()) throw new AssertionError("process output ended without '" + text + "':\n" + output());
            waiters.add(new Waiter(l -> l.contains(text), line));
        }
        try {
            return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no output line with '" + text + "' within " + timeout + ":\n" + output(), e);
        }
    }

    /** The exit code, waiting up to {@code timeout}; fails (and kills the process) if it is still running then. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("process did not exit within " + timeout + ":\n" + output());
            }
            outputEnded.get(timeout.toMillis(), TimeUnit.MILLISECONDS); // every line read before anyone asserts on it
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            throw new AssertionError("output not drained within " + timeout, e);
        }
    }

    public synchronized String output() {
        return String.join("\n", lines);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * SIGTERM, as a container runtime or systemd would send. Through the ProcessHandle: {@code Process.destroy()}
     * also closes our end of the output pipe, which would lose everything the process logs while shutting down.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /**
     * SIGKILL, like {@code kill -9} or the OOM killer: no shutdown hook, no finally block runs. On Linux
     * {@code Process.destroyForcibly()} sends SIGKILL, so the exit code is 137 (128 + 9); returns it.
     */
    public int kill(Duration timeout) {
        process.destroyForcibly();
        return awaitExit(timeout);
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }
}
