package io.switchboard.directory;

import java.util.List;

/**
 * One page of a connection query: {@code total} connections match the filters (whatever the cursor), {@code items}
 * are the first {@code limit} of them after the cursor in the query's order, and {@code nextCursor} is the cursor of
 * the last item when more follow (null on the last page).
 */
public record ConnectionPage(long total, List<ConnectionView> items, String nextCursor) {
    public ConnectionPage {
        items = List.copyOf(items);
    }

    /** No match. */
    public static ConnectionPage empty() {
        return new ConnectionPage(0, List.of(), null);
    }
}
