package io.switchboard.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty 12 WebSocket clients (non-blocking I/O), one per loopback source address (127.0.0.1, 127.0.0.2, …) so
 * that more connections fit than one address's ephemeral port range allows. They share one thread pool.
 */
final class LoadGenerator implements AutoCloseable {
    /** What Chrome offers on every WebSocket (Firefox and Safari offer plain {@code permessage-deflate}). */
    static final String DEFLATE_OFFER = "permessage-deflate; client_max_window_bits";

    private final QueuedThreadPool pool;
    private final ScheduledExecutorScheduler scheduler;
    private final List<WebSocketClient> clients = new ArrayList<>();
    final List<String> sources = new ArrayList<>();

    /**
     * Clients bound to the loopback addresses numbered {@code firstAddress} … {@code firstAddress + count - 1},
     * sharing a pool of {@code threads} threads (more when each client's selector needs one).
     */
    LoadGenerator(int firstAddress, int count, int threads) throws Exception {
        pool = new QueuedThreadPool(Math.max(threads, count + 2), Math.min(4, threads));
        pool.setName("bench-io");
        pool.setDaemon(true);
        pool.start();
        scheduler = new ScheduledExecutorScheduler("bench-scheduler", true);
        scheduler.start();
        for (int i = 0; i < count; i++) {
            InetAddress source = loopback(firstAddress + i);
            sources.add(source.getHostAddress());
            ClientConnector connector = new ClientConnector();
            connector.setBindAddress(new InetSocketAddress(source, 0));
            connector.setSelectors(1);
            connector.setExecutor(pool);
            connector.setScheduler(scheduler);
            connector.setReuseAddress(true);
            connector.setConnectTimeout(Duration.ofSeconds(30));
            connector.setIdleTimeout(Duration.ofMinutes(10));
            HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
            http.setExecutor(pool);
            http.setScheduler(scheduler);
            http.setMaxConnectionsPerDestination(Scenario.MAX_CONNS);
            http.setMaxRequestsQueuedPerDestination(Scenario.MAX_CONNS);
            http.setIdleTimeout(Duration.ofMinutes(10).toMillis());
            http.setConnectTimeout(30_000);
            WebSocketClient ws = new WebSocketClient(http);
            ws.setIdleTimeout(Duration.ofMinutes(10));
            ws.setMaxTextMessageSize(4 << 20);
            ws.setStopTimeout(2000);
            ws.setStopAtShutdown(false);
            ws.start();
            clients.add(ws);
        }
    }

    /** Loopback address number {@code n} (1 → 127.0.0.1, 2 → 127.0.0.2, 255 → 127.0.1.1, …). */
    static InetAddress loopback(int n) throws UnknownHostException {
        if (n < 1) throw new IllegalArgumentException("address numbers start at 1");
        int b = (n - 1) / 254;
        int c = (n - 1) % 254 + 1;
        if (b > 255) throw new IllegalArgumentException("out of loopback addresses");
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) b, (byte) c});
    }

    /**
     * Connects every connection with at most {@code concurrency} handshakes in progress, each given
     * {@code perConnection} to become ready and the whole phase {@code phase}, offering permessage-deflate as a
     * browser does when {@code deflate}. Returns when all are ready or failed.
     */
    void connectAll(List<Conn> conns, boolean deflate, int concurrency, Duration perConnection, Duration phase)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        long deadline = System.nanoTime() + phase.toNanos();
        for (Conn c : conns) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                c.failed(new TimeoutException("connect phase over"));
                continue;
            }
            c.ready.whenComplete((x, t) -> permits.release());
            scheduler.schedule(() -> {
                if (!c.ready.isDone()) c.failed(new TimeoutException("connect timeout"));
            }, perConnection.toMillis(), TimeUnit.MILLISECONDS);
            c.connectStartNanos = System.nanoTime();
            try {
                ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
                if (deflate) upgrade.addExtensions(DEFLATE_OFFER);
                clients.get(c.index % clients.size()).connect(c, c.uri, upgrade).whenComplete((session, failure) -> {
                    if (failure != null) c.failed(failure);
                });
            } catch (IOException | RuntimeException e) {
                c.failed(e);
            }
        }
        for (Conn c : conns) {
            long left = deadline - System.nanoTime();
            try {
                c.ready.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                c.failed(e);
            } catch (java.util.concurrent.ExecutionException e) {
                // counted by the connection
            }
        }
    }

    @Override
    public void close() {
        for (WebSocketClient ws : clients) {
            try {
                ws.stop();
            } catch (Exception ignored) {
                // best effort: the server side is gone already
            }
        }
        try {
            scheduler.stop();
            pool.stop();
        } catch (Exception ignored) {
            // daemon threads; the JVM does not wait for them
        }
    }
}
