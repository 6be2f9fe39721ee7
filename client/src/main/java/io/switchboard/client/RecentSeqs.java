package io.switchboard.client;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The most recent direct-message seqs this client delivered, to deliver each once. Direct-message seqs are
 * server-wide (a user's have gaps), so a lower seq that was never seen is delivered late rather than dropped: the
 * server's offline sync can arrive after a newer live message. Not thread-safe.
 */
final class RecentSeqs {
    private final int capacity;
    private final LinkedHashSet<Long> seen = new LinkedHashSet<>();

    RecentSeqs(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        this.capacity = capacity;
    }

    /** Records the seq; false when it was seen already (a duplicate). */
    boolean firstTime(long seq) {
        if (!seen.add(seq)) return false;
        if (seen.size() > capacity) {
            Iterator<Long> oldest = seen.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }
}
