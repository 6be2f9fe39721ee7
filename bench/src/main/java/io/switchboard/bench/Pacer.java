package io.switchboard.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends on a schedule: every connection at {@code rate} per second, with random phases so the load is smooth.
 * The time embedded in a message is when it was <em>due</em>, not when the pacer got round to it, so a late
 * generator shows up as latency instead of hiding it (no coordinated omission); the lag is reported too.
 */
final class Pacer {
    /** Sends one message for {@code conn}, due at {@code dueNanos}. */
    interface Sender {
        void send(Conn conn, long dueNanos);
    }

    private static final class Slot {
        final Conn conn;
        long due;

        Slot(Conn conn, long due) {
            this.conn = conn;
            this.due = due;
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Pacer(List<Conn> conns, double rate, long startNanos, long stopNanos, int threadCount, Sender sender, Stats stats) {
        long period = Math.max(1, Math.round(1e9 / rate));
        Random random = new Random(42);
        for (int t = 0; t < threadCount; t++) {
            PriorityQueue<Slot> queue = new PriorityQueue<>(Comparator.comparingLong((Slot s) -> s.due));
            for (int i = t; i < conns.size(); i += threadCount) {
                queue.add(new Slot(conns.get(i), startNanos + (long) (random.nextDouble() * period)));
            }
            Thread thread = new Thread(() -> run(queue, period, stopNanos, sender, stats), "bench-pacer-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void run(PriorityQueue<Slot> queue, long period, long stopNanos, Sender sender, Stats stats) {
        while (!stopped) {
            Slot s = queue.peek();
            if (s == null) return;
            long now = System.nanoTime();
            if (s.due - now > 0) {
                LockSupport.parkNanos(Math.min(s.due - now, 1_000_000));
                continue;
            }
            queue.poll();
            stats.pacerLagMaxNanos.accumulate(now - s.due);
            if (s.conn.open()) sender.send(s.conn, s.due);
            s.due += period;
            if (s.due - stopNanos < 0) queue.add(s);
        }
    }

    /**
     * Waits for every message due before the stop time to be sent (a lagging pacer catches up rather than
     * dropping them), then stops whatever is still running after {@code timeoutMillis}.
     */
    void finish(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Thread t : threads) t.join(Math.max(1, deadline - System.currentTimeMillis()));
        stopped = true;
        for (Thread t : threads) t.join(1000);
    }
}
