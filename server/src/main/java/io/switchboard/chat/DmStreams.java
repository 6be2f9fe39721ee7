package io.switchboard.chat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last position of users' direct-message streams, as the {@link Sequencer} knows them: loaded from the store on
 * first use, advanced only after a commit, dropped when a write failed (and re-read next time). Bounded: the least
 * recently used users are forgotten and re-read when they come back. Sequencer thread only.
 */
final class DmStreams {
    private final ChatStore store;
    private final Map<String, Long> lastSeqs;

    DmStreams(ChatStore store, int maxCached) {
        this.store = store;
        this.lastSeqs = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxCached;
            }
        };
    }

    /** The user's last position (0 for a user with no DMs), read in {@code db} when not known. */
    long lastSeq(Connection db, String user) throws SQLException {
        Long known = lastSeqs.get(user);
        if (known != null) return known;
        long read = store.dmStreamSeq(db, user);
        lastSeqs.put(user, read);
        return read;
    }

    /** The user's last position if known without a query, else -1. */
    long cached(String user) {
        Long known = lastSeqs.get(user);
        return known == null ? -1 : known;
    }

    /** Records positions that are now committed. */
    void advance(Map<String, Long> committed) {
        lastSeqs.putAll(committed);
    }

    /** Forgets what a failed write may have left uncertain. */
    void forget(Iterable<String> users) {
        for (String u : users) lastSeqs.remove(u);
    }
}
