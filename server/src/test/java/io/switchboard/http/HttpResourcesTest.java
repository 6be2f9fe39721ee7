package io.switchboard.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.metrics.Metrics;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP side's resource limits on a real server: clients that trickle their request headers are dropped at
 * {@code http.header.timeout}, and Jetty's thread pool shrinks back after a burst.
 */
@Timeout(120)
class HttpResourcesTest {
    /** Room for a busy test machine on top of the documented slack. */
    private static final Duration JITTER = Duration.ofMillis(1500);

    /** A client that sent part of a request and is still connected. */
    private static final class Trickler {
        final SocketChannel channel;
        final long openedNanos;
        long closedNanos = -1;

        Trickler(SocketChannel channel) {
            this.channel = channel;
            this.openedNanos = System.nanoTime();
        }

        /** Sends more bytes (ignoring a refused write: the server may just have closed) and tells whether it is closed. */
        boolean sendAndCheckClosed(String more) {
            try {
                channel.write(ByteBuffer.wrap(more.getBytes(StandardCharsets.US_ASCII)));
                return channel.read(ByteBuffer.allocate(4096)) < 0;
            } catch (IOException e) {
                return true; // reset by the server
            }
        }
    }

    private static SocketChannel open(TestServer server) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
        ch.configureBlocking(false);
        return ch;
    }

    @Test
    void clientsThatTrickleTheirRequestHeadersAreDroppedAtTheHeaderTimeout() throws IOException {
        Duration timeout = Duration.ofSeconds(1);
        Duration sweep = new HeaderDeadline(timeout).sweepPeriod();
        int n = 50;
        try (TestServer server = TestServer.start(Map.of("http.header.timeout", "1s"))) {
            List<Trickler> slow = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    Trickler t = new Trickler(open(server));
                    t.channel.write(ByteBuffer.wrap("GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII)));
                    slow.add(t);
                }
                // One header line per client every 100 ms: far faster than Jetty's idle timeout (30 s), so only a
                // deadline on the whole header can stop them.
                long giveUp = System.nanoTime() + timeout.plus(sweep).plus(JITTER).multipliedBy(3).toNanos();
                int line = 0;
                while (slow.stream().anyMatch(t -> t.closedNanos < 0) && System.nanoTime() < giveUp) {
                    String header = "X-Slow-" + line++ + ": x\r\n";
                    for (Trickler t : slow) {
                        if (t.closedNanos < 0 && t.sendAndCheckClosed(header)) t.closedNanos = System.nanoTime();
                    }
                    pace(Duration.ofMillis(100));
                }
                long earliest = Long.MAX_VALUE;
                long latest = 0;
                for (Trickler t : slow) {
                    assertTrue(t.closedNanos > 0, "a slow header sender is still connected after "
                            + Duration.ofNanos(System.nanoTime() - t.openedNanos).toMillis() + " ms");
                    earliest = Math.min(earliest, t.closedNanos - t.openedNanos);
                    latest = Math.max(latest, t.closedNanos - t.openedNanos);
                }
                assertTrue(earliest >= timeout.toNanos(), "dropped after " + earliest / 1_000_000 + " ms, before the timeout");
                assertTrue(latest <= timeout.plus(sweep).plus(JITTER).toNanos(),
                        "dropped after up to " + latest / 1_000_000 + " ms; the promise is " + timeout.toMillis()
                                + " ms + " + sweep.toMillis() + " ms");
            } finally {
                for (Trickler t : slow) t.channel.close();
            }
            assertEquals(200, server.get("/health").statusCode(), "a normal client is served all along");
        }
    }

    @Test
    void aRequestWhoseHeadersArriveInTimeIsServedAndItsConnectionKeptAlive() throws IOException {
        try (TestServer server = TestServer.start(Map.of("http.header.timeout", "1s"));
             SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
            for (int i = 0; i < 2; i++) {
                ch.write(ByteBuffer.wrap("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer answer = ByteBuffer.allocate(4096);
                ch.read(answer);
                String text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
                assertTrue(text.startsWith("HTTP/1.1 200"), text);
                // Idle between requests, longer than the header timeout: that is the idle timeout's business.
                pace(Duration.ofMillis(1500));
            }
        }
    }

    @Test
    void theThreadPoolShrinksBackTowardItsMinimumAfterABurst() throws IOException {
        int min = 4;
        int blocked = 40;
        try (TestServer server = TestServer.start(Map.of("http.threads.min", String.valueOf(min), "http.threads.max", "100",
                "http.threads.idle.timeout", "1s", "admin.rate", "1000"))) {
            String admin = server.adminToken();
            List<SocketChannel> uploads = new ArrayList<>();
            try {
                // Each request's body is promised but not sent: the handler blocks a pool thread reading it.
                for (int i = 0; i < blocked; i++) {
                    SocketChannel ch = open(server);
                    ch.write(ByteBuffer.wrap(("POST /api/v1/broadcast HTTP/1.1\r\nHost: localhost\r\n"
                            + "Authorization: Bearer " + admin + "\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 200\r\n\r\n{\"text\":").getBytes(StandardCharsets.US_ASCII)));
                    uploads.add(ch);
                }
                Await.until("the pool to grow for the burst", Duration.ofSeconds(30), () -> threads(server) >= blocked);
            } finally {
                for (SocketChannel ch : uploads) ch.close();
            }
            int peak = threads(server);
            Await.until("the pool to shrink back toward " + min + " threads from " + peak + " (now " + threads(server) + ")",
                    Duration.ofSeconds(20), () -> threads(server) <= min + 4);
        }
    }

    private static int threads(TestServer server) {
        return ((Number) server.server().metrics().registry().getGauges().get(Metrics.JETTY_THREADS).getValue()).intValue();
    }

    /** Lets time pass on purpose (the pace of a slow client), not a wait for a condition. */
    private static void pace(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
