package io.switchboard.chat;

/** A token bucket: {@code ratePerSecond} sustained, {@code capacity} burst. Thread-safe, allocation-free. */
public final class TokenBucket {
    private final double capacity;
    private final double perNano;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.capacity = capacity;
        this.perNano = ratePerSecond / 1e9;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    public synchronized boolean tryTake(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
