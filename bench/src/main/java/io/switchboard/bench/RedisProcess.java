package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The system's {@code redis-server} for one {@code cluster} trial: a free loopback port, no persistence
 * ({@code --save '' --appendonly no}), in the foreground as the harness's child so that it is stopped with the trial
 * (and killed if the harness is). Its log is {@code redis.log} in the trial's directory.
 */
final class RedisProcess implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(20);

    final int port;
    private final Process process;

    private RedisProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static Path binary() throws IOException {
        return Tools.find("redis-server", List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/local/bin/redis-server")),
                System.getenv("PATH"), "Redis (apt-get install redis-server): the cluster target needs redis-server");
    }

    static RedisProcess start(Path dir) throws IOException {
        Path binary = binary();
        Path data = Files.createDirectories(dir.resolve("redis"));
        Path log = dir.resolve("redis.log");
        int port = ServerProcess.freePort();
        Process p = ServerProcess.track(new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", data.toString(), "--protected-mode", "no")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        RedisProcess redis = new RedisProcess(port, p);
        try {
            Tools.awaitListening("redis-server", p, port, log, START);
        } catch (IOException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Tools.stop(process, Duration.ofSeconds(10));
    }
}
