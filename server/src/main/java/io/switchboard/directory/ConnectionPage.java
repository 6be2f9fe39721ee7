package io.switchboard.directory;

import java.util.List;

/**
 * One page of a connection query: {@code total} connections match the filters (whatever the cursor), {@code items}
 * are the first {@code limit} of them after the cursor in the query's order, and {@code nextCursor} is the cursor of
 * the last item when more follow (null on the last page). {@code missingNodes} names live nodes that did not answer a
 * cluster-wide query in time (empty, and left out of the JSON, when every node answered).
 */
public record ConnectionPage(long total, List<ConnectionView> items, String nextCursor,
                             @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                             List<String> missingNodes) {
    public ConnectionPage {
        items = List.copyOf(items);
        missingNodes = missingNodes == null ? List.of() : List.copyOf(missingNodes);
    }

    public ConnectionPage(long total, List<ConnectionView> items, String nextCursor) {
        this(total, items, nextCursor, List.of());
    }

    /** The same page, saying which nodes did not answer in time (their connections are not in it, nor in the total). */
    public ConnectionPage missing(List<String> nodes) {
        return new ConnectionPage(total, items, nextCursor, nodes);
    }

    /** No match. */
    public static ConnectionPage empty() {
        return new ConnectionPage(0, List.of(), null);
    }
}
