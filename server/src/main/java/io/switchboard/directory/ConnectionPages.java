package io.switchboard.directory;

import java.util.ArrayList;
import java.util.List;

/** Combining the pages that several nodes gave for one query. */
public final class ConnectionPages {
    private ConnectionPages() {}

    /**
     * The page of {@code query} over the union of the nodes' connections, from each node's own page for the same
     * query. Exact as long as every node answered with its first {@code query.limit()} matches after the same cursor
     * in the same order (what {@link ConnectionDirectory#query} promises): any item of the global page is among the
     * first {@code limit} of its own node, so sorting the union and keeping the first {@code limit} gives the global
     * page. Totals add. There is a next page when the union held more than {@code limit} items or a node had more
     * than it sent; its cursor is that of the last item kept. Pages of nodes that did not answer are simply absent:
     * the result then covers the nodes that did.
     */
    public static ConnectionPage merge(ConnectionQuery query, List<ConnectionPage> pages) {
        long total = 0;
        boolean more = false;
        List<ConnectionView> all = new ArrayList<>();
        for (ConnectionPage p : pages) {
            total += p.total();
            more |= p.nextCursor() != null;
            all.addAll(p.items());
        }
        all.sort(query.order());
        more |= all.size() > query.limit();
        List<ConnectionView> shown = all.size() > query.limit() ? all.subList(0, query.limit()) : all;
        String next = more && !shown.isEmpty()
                ? ConnectionCursor.after(shown.get(shown.size() - 1), query.sort(), query.descending()).encode()
                : null;
        return new ConnectionPage(total, shown, next);
    }
}
