package io.switchboard.bench;

import java.net.ConnectException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;

/**
 * What one run observed, recorded from many I/O threads at once. Only messages whose send time falls in the
 * measurement window count; latencies are in microseconds.
 */
final class Stats {
    final LongAdder sent = new LongAdder();
    final LongAdder expected = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder outsideWindow = new LongAdder();
    final LongAdder acks = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder sendFailures = new LongAdder();
    final LongAdder presence = new LongAdder();
    final LongAdder other = new LongAdder();
    final LongAdder established = new LongAdder();
    final LongAccumulator pacerLagMaxNanos = new LongAccumulator(Math::max, 0);
    /** Deliveries expected at a recipient on another node than the sender's (both nodes known). */
    final LongAdder crossExpected = new LongAdder();
    /** Messages sent times the other nodes holding members of their room: publications that must cross. */
    final LongAdder crossHops = new LongAdder();
    final LongAdder deliveredLocal = new LongAdder();
    final LongAdder deliveredCross = new LongAdder();
    private final Recorder latency = new Recorder(3);
    private final Recorder localLatency = new Recorder(3);
    private final Recorder crossLatency = new Recorder(3);
    private final Recorder ackLatency = new Recorder(3);
    private final Recorder connectLatency = new Recorder(3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> connectFailures = new ConcurrentHashMap<>();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MIN_VALUE;
    private volatile boolean frozen;

    void window(long startNanos, long endNanos) {
        windowStart = startNanos;
        windowEnd = endNanos;
    }

    private boolean inWindow(long sentNanos) {
        return sentNanos != Frames.NONE && sentNanos - windowStart >= 0 && sentNanos - windowEnd < 0;
    }

    void sent(long sentNanos, int fanout) {
        sent(sentNanos, fanout, 0, 0);
    }

    /**
     * A message written to the socket, expected at {@code fanout} recipients of which {@code crossFanout} are on
     * another node than the sender, in a room held by {@code hops} other nodes.
     */
    void sent(long sentNanos, int fanout, int crossFanout, int hops) {
        if (frozen || !inWindow(sentNanos)) return;
        sent.increment();
        expected.add(fanout);
        crossExpected.add(crossFanout);
        crossHops.add(hops);
    }

    /** Whether a delivery crossed nodes: -1 unknown (either node unknown), 0 local, 1 crossed. */
    static int crossing(int recipientNode, int senderNode) {
        if (recipientNode < 0 || senderNode < 0) return -1;
        return recipientNode == senderNode ? 0 : 1;
    }

    void delivered(long sentNanos) {
        delivered(sentNanos, -1);
    }

    /** A delivery; {@code crossing} as {@link #crossing}: local and crossed ones are also timed apart. */
    void delivered(long sentNanos, int crossing) {
        if (frozen) return;
        if (sentNanos == Frames.NONE) {
            other.increment();
        } else if (inWindow(sentNanos)) {
            delivered.increment();
            long micros = Math.max(0, (System.nanoTime() - sentNanos) / 1000);
            latency.recordValue(micros);
            if (crossing == 0) {
                deliveredLocal.increment();
                localLatency.recordValue(micros);
            } else if (crossing == 1) {
                deliveredCross.increment();
                crossLatency.recordValue(micros);
            }
        } else {
            outsideWindow.increment();
        }
    }

    void acked(long sentNanos) {
        if (frozen || !inWindow(sentNanos)) return;
        acks.increment();
        ackLatency.recordValue(Math.max(0, (System.nanoTime() - sentNanos) / 1000));
    }

    void connected(long nanos) {
        established.increment();
        connectLatency.recordValue(Math.max(0, nanos / 1000));
    }

    void connectFailed(String reason) {
        connectFailures.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    void error(String code) {
        if (!frozen) errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void closed(int code, String reason) {
        if (frozen) return;
        String key = reason == null || reason.isBlank() ? String.valueOf(code) : code + "_" + reason.replaceAll("[^A-Za-z0-9_.-]", "_");
        closes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** Stops counting: later frames (the drain's stragglers, shutdown closes) are ignored. */
    void freeze() {
        frozen = true;
    }

    Histogram latency() {
        return latency.getIntervalHistogram();
    }

    Histogram localLatency() {
        return localLatency.getIntervalHistogram();
    }

    Histogram crossLatency() {
        return crossLatency.getIntervalHistogram();
    }

    Histogram ackLatency() {
        return ackLatency.getIntervalHistogram();
    }

    Histogram connectLatency() {
        return connectLatency.getIntervalHistogram();
    }

    static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The counts of several maps added up per key (sorted). */
    @SafeVarargs
    static Map<String, Long> merge(Map<String, Long>... maps) {
        Map<String, Long> out = new TreeMap<>();
        for (Map<String, Long> m : maps) m.forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    Map<String, Long> errors() {
        return snapshot(errors);
    }

    Map<String, Long> closes() {
        return snapshot(closes);
    }

    Map<String, Long> connectFailures() {
        return snapshot(connectFailures);
    }

    /** A short token for why a connect failed, for the report. */
    static String reason(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c
                && (c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)) {
            c = c.getCause();
        }
        if (c instanceof UpgradeException u) return "upgrade_" + u.getResponseStatusCode();
        if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException) return "timeout";
        if (c instanceof ConnectException) return "refused";
        if (c instanceof IllegalStateException && c.getMessage() != null && c.getMessage().matches("[a-z_]+_?[A-Za-z0-9_]*")) {
            return c.getMessage();
        }
        String name = c.getClass().getSimpleName();
        return name.isEmpty() ? "error" : name;
    }
}
