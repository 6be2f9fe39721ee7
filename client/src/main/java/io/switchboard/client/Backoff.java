package io.switchboard.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the delay before attempt {@code n} (0-based) is uniform in
 * {@code [0, min(cap, base * 2^n)]}, so that many clients dropped together do not come back together.
 */
final class Backoff {
    private final long baseNanos;
    private final long capNanos;

    Backoff(Duration base, Duration cap) {
        if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("backoff base must be positive");
        if (cap.compareTo(base) < 0) throw new IllegalArgumentException("backoff cap must be at least the base");
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
    }

    /** The upper bound of the delay before attempt {@code n}. */
    long ceilingNanos(int attempt) {
        if (attempt < 0) attempt = 0;
        if (attempt >= 62 || baseNanos > (capNanos >> attempt)) return capNanos; // base * 2^n would pass the cap
        return Math.min(capNanos, baseNanos << attempt);
    }

    /** A delay for attempt {@code n}; {@code random} yields values in [0, 1). */
    long delayNanos(int attempt, DoubleSupplier random) {
        return (long) (random.getAsDouble() * ceilingNanos(attempt));
    }
}
