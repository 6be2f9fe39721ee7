package io.switchboard.chat;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * How long fan-out writes wait for a writer thread: the node's overload signal. While it is above the configured
 * maximum ({@code fanout.lag.max}), new messages are refused with {@code busy} (load shedding at the door), so that a
 * node short of CPU slows its senders down instead of letting every outbox fill at once and dropping hundreds of
 * clients as slow consumers together. A slow client does not raise it: its frames wait in its own outbox, not for
 * a writer, and it alone is dropped when that outbox is full.
 *
 * <p>Measured with a probe, like the Redis subscription's health: every {@link #PROBE_PERIOD_MILLIS} ms a no-op task
 * goes to the writer pool behind the fan-outs already queued; the lag is the wait of the last probe that ran, or the
 * age of the probe still waiting when that is longer (so a pool that stopped running anything counts as late at once).
 */
final class FanoutLag {
    /** How often a probe is sent, in milliseconds. */
    static final long PROBE_PERIOD_MILLIS = 50;

    private final Executor writers;
    private final long maxNanos;
    /** {@link System#nanoTime()} when the probe in flight was queued; meaningful only while {@link #inFlight}. */
    private volatile long sentAt;
    private volatile boolean inFlight;
    /** The wait of the last probe that ran, in nanoseconds. */
    private volatile long lastLag;

    /** @param maxNanos the lag above which {@link #overloaded()} is true; 0 turns shedding off (the lag is still measured) */
    FanoutLag(Executor writers, long maxNanos) {
        this.writers = writers;
        this.maxNanos = maxNanos;
    }

    /** Sends a probe unless one is still waiting. Called every {@link #PROBE_PERIOD_MILLIS} ms from one timer thread. */
    void probe() {
        if (inFlight) return;
        long sent = System.nanoTime();
        sentAt = sent;
        inFlight = true;
        try {
            writers.execute(() -> {
                lastLag = System.nanoTime() - sent;
                inFlight = false;
            });
        } catch (RejectedExecutionException e) {
            inFlight = false; // the pool is shutting down
        }
    }

    /** The current lag in nanoseconds: the last probe's wait, or the waiting probe's age if longer. */
    long lagNanos() {
        long waiting = inFlight ? System.nanoTime() - sentAt : 0;
        return Math.max(lastLag, waiting);
    }

    /** True while the lag is above the maximum: new messages are to be refused ("busy"). */
    boolean overloaded() {
        return maxNanos > 0 && lagNanos() > maxNanos;
    }
}
