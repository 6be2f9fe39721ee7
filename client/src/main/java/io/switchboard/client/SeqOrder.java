package io.switchboard.client;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Delivery order of one room or of a direct-message stream: drops what was already delivered or is already held, holds what arrives early, hands
 * out the contiguous run after the last delivered seq, and names the gap that blocks the rest. Not thread-safe.
 */
final class SeqOrder<T> {
    /** Missing seqs {@code from..to}, both inclusive. */
    record Gap(long from, long to) {}

    private final TreeMap<Long, T> held = new TreeMap<>();
    private long delivered;

    SeqOrder(long delivered) {
        this.delivered = delivered;
    }

    long delivered() {
        return delivered;
    }

    int held() {
        return held.size();
    }

    /** Takes an item; false when its seq was delivered or is held already (a duplicate). */
    boolean offer(long seq, T item) {
        if (seq <= delivered || held.containsKey(seq)) return false;
        held.put(seq, item);
        return true;
    }

    /** Removes and returns the items deliverable now, in seq order. */
    List<T> drain() {
        List<T> out = new ArrayList<>();
        while (!held.isEmpty() && held.firstKey() == delivered + 1) {
            out.add(held.pollFirstEntry().getValue());
            delivered++;
        }
        return out;
    }

    /** The seqs missing before the first held item, or null when nothing is held or nothing is missing. */
    Gap gap() {
        if (held.isEmpty()) return null;
        long first = held.firstKey();
        return first > delivered + 1 ? new Gap(delivered + 1, first - 1) : null;
    }

    /**
     * Gives up on the seqs up to {@code seq} (they cannot be fetched): delivery continues after them, with the first
     * held item if it follows. Never moves backwards.
     */
    void skipTo(long seq) {
        if (seq <= delivered) return;
        delivered = seq;
        held.headMap(seq, true).clear();
    }

    /** Replaces a held item (for example one removed by an operator); false when that seq is not held. */
    boolean replace(long seq, UnaryOperator<T> change) {
        T item = held.get(seq);
        if (item == null) return false;
        held.put(seq, change.apply(item));
        return true;
    }

    /** Forgets held items (they come again after a reconnect); what was delivered stays delivered. */
    void clearHeld() {
        held.clear();
    }

    /** Starts over at {@code delivered}, for a room whose seq went backwards (its history was reset). */
    void restart(long delivered) {
        held.clear();
        this.delivered = delivered;
    }
}
