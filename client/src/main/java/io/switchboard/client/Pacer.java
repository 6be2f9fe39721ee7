package io.switchboard.client;

/**
 * A token bucket that keeps the client under the server's frame rate ({@code ratePerSecond}, {@code burst} from
 * welcome), so that catching up after a reconnect does not earn {@code rate_limited} errors. Not thread-safe.
 */
final class Pacer {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    Pacer(double ratePerSecond, double burst, long nowNanos) {
        if (ratePerSecond <= 0 || burst < 1) throw new IllegalArgumentException("rate and burst must be positive");
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes a token and returns 0, or returns how many nanoseconds to wait for the next one (taking nothing). */
    long take(long nowNanos) {
        if (nowNanos > last) {
            tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
