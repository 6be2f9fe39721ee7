package io.switchboard.drain;

import com.codahale.metrics.Meter;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.CloseCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes this node out of service without a reconnect storm. From the instant a drain starts, {@link #draining()} is
 * true: {@code /ready} answers 503 so that a load balancer stops sending new connections, and new chat connections
 * are refused with 1012. After {@code drain.delay} the chat connections open then are closed with 1012
 * {@code draining}, one after another, spread evenly over the window (the first at its start, the last at its end),
 * each after the frames already queued for it. Clients reconnect at once, with jitter, to another node and resume.
 * One drain per process: it cannot be undone (restart the process to serve again).
 */
public final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    /** The close reason sent with {@link CloseCodes#SERVICE_RESTART}. */
    public static final String REASON = "draining";

    /**
     * What a drain is doing, for {@code /api/v1/info} and the console. Times are epoch milliseconds;
     * {@code toClose} is known once closing starts (-1 before), {@code closed} counts the closes issued so far.
     */
    public record Status(boolean draining, String cause, long startedAt, long closingFrom, long closingUntil,
                         int toClose, int closed, boolean finished) {
        static final Status SERVING = new Status(false, null, 0, 0, 0, -1, 0, false);

        /** As JSON: {@code {"draining": false}} while serving; every field while draining. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("draining", draining);
            if (!draining) return m;
            m.put("cause", cause);
            m.put("startedAt", startedAt);
            m.put("closingFrom", closingFrom);
            m.put("closingUntil", closingUntil);
            m.put("toClose", toClose);
            m.put("closed", closed);
            m.put("finished", finished);
            return m;
        }
    }

    private final Hub hub;
    private final Duration delay;
    private final Duration window;
    private final Meter closedByDrain;
    private final Consumer<Status> onChange;
    /** Released when the drain must finish now (the server stops): whatever is left is closed at once. */
    private final CountDownLatch hurry = new CountDownLatch(1);
    /** Released once every close has been issued. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Status status = Status.SERVING;

    /**
     * @param delay    how long {@code /ready} is 503 before the first close
     * @param window   how long the closes are spread over (zero: all at once)
     * @param onChange hears every change of the status (start, closing, finished); must not block
     */
    public Drain(Hub hub, Metrics metrics, Duration delay, Duration window, Consumer<Status> onChange) {
        this.hub = hub;
        this.delay = delay;
        this.window = window;
        this.onChange = onChange;
        this.closedByDrain = metrics.registry().meter(Metrics.DRAIN_CLOSED);
        metrics.gauge(Metrics.DRAINING, () -> status.draining() ? 1 : 0);
    }

    /** True from the instant a drain starts, for the rest of the process's life. */
    public boolean draining() {
        return status.draining();
    }

    public Status status() {
        return status;
    }

    /** The configured delay before the first close. */
    public Duration delay() {
        return delay;
    }

    /** The configured window the closes are spread over. */
    public Duration window() {
        return window;
    }

    /**
     * Starts the drain with the configured delay and window unless one already runs.
     *
     * @param cause who started it, for logs and the status ({@code "SIGTERM"}, {@code "admin <name>"})
     * @return true when this call started it; false when a drain was already running (it goes on unchanged)
     */
    public boolean start(String cause) {
        return start(cause, window);
    }

    /** Like {@link #start(String)} with another window (for a planned drain started by an operator). */
    public synchronized boolean start(String cause, Duration window) {
        if (status.draining()) return false;
        long now = System.currentTimeMillis();
        long from = now + delay.toMillis();
        change(new Status(true, cause, now, from, from + window.toMillis(), -1, 0, false));
        log.info("Draining ({}): not ready from now; {} chat connection(s) open; closing them with {} {} over {} ms"
                + " after {} ms", cause, hub.connectionCount(), CloseCodes.SERVICE_RESTART, REASON, window.toMillis(),
                delay.toMillis());
        long startNanos = System.nanoTime();
        Thread t = new Thread(() -> run(startNanos, window), "switchboard-drain");
        t.setDaemon(true); // the shutdown path waits for it through awaitFinished; an API drain must not hold the JVM
        t.start();
        return true;
    }

    private void run(long startNanos, Duration window) {
        long closeStart = startNanos + delay.toNanos();
        try {
            boolean hurried = awaitHurry(closeStart);
            List<Connection> open = new ArrayList<>(hub.connections());
            // A random order: connections are not closed room by room or user by user.
            Collections.shuffle(open);
            int n = open.size();
            Status s = status;
            change(new Status(true, s.cause(), s.startedAt(), s.closingFrom(), s.closingUntil(), n, 0, false));
            int closed = 0;
            for (int i = 0; i < n; i++) {
                // Evenly spaced: the first close at the window's start, the last at its end.
                long due = closeStart + (n == 1 ? 0 : window.toNanos() * i / (n - 1));
                if (!hurried) hurried = awaitHurry(due);
                if (close(open.get(i))) closed++;
                if ((i & 63) == 63) publishClosed(closed);
            }
            // Connections whose upgrade was under way when the drain started, admitted after the list was taken.
            for (Connection c : List.copyOf(hub.connections())) if (close(c)) closed++;
            s = status;
            change(new Status(true, s.cause(), s.startedAt(), s.closingFrom(), s.closingUntil(), n, closed, true));
            log.info("Drain finished: {} chat connection(s) closed with {} {} in {} ms", closed,
                    CloseCodes.SERVICE_RESTART, REASON, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        } catch (RuntimeException e) {
            log.error("Drain failed; closing what is left at once", e);
            for (Connection c : List.copyOf(hub.connections())) close(c);
        } finally {
            finished.countDown();
        }
    }

    private void publishClosed(int closed) {
        Status s = status;
        change(new Status(true, s.cause(), s.startedAt(), s.closingFrom(), s.closingUntil(), s.toClose(), closed, false));
    }

    /** Waits until {@code dueNanos}; true when told to hurry (then nothing waits any more). */
    private boolean awaitHurry(long dueNanos) {
        long left = dueNanos - System.nanoTime();
        if (left <= 0) return hurry.getCount() == 0;
        try {
            return hurry.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Closes after what is queued for it is written; true if it was still open. */
    private boolean close(Connection c) {
        if (c.isClosed()) return false;
        c.close(CloseCodes.SERVICE_RESTART, REASON);
        closedByDrain.mark();
        return true;
    }

    private void change(Status s) {
        status = s;
        try {
            onChange.accept(s);
        } catch (RuntimeException e) {
            log.warn("Drain status listener failed", e);
        }
    }

    /**
     * Waits until every close has been issued (the drain's delay plus window from its start).
     *
     * @return false when that did not happen within {@code timeout}, or no drain was started
     */
    public boolean awaitFinished(Duration timeout) {
        if (!status.draining()) return false;
        try {
            return finished.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The server stops now: a running drain closes what is left at once instead of waiting for its slots. */
    public void hurry() {
        hurry.countDown();
    }
}
