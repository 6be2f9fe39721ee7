package io.switchboard.directory;

import io.switchboard.chat.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * Answers connection queries over this node's live connections in one pass: each connection is tested against the
 * filters and counted, and the best {@code limit + 1} after the cursor are kept in a bounded heap, so a query costs
 * O(n log limit) time and O(limit) memory however many connections there are (no copy of the whole list is sorted).
 * Counters such as {@code framesIn} move while a page is read; the cursor holds the key the item was sorted by, so
 * paging never fails, though a connection whose counter moved across the cursor may show up twice or not at all.
 */
public final class LocalConnectionDirectory implements ConnectionDirectory {
    private final String nodeId;
    private final Supplier<? extends Iterable<Connection>> connections;

    /**
     * @param nodeId      this node's id: every item carries it, and a query for another node matches nothing
     * @param connections the live connections (read once per query; a concurrent collection may change meanwhile)
     */
    public LocalConnectionDirectory(String nodeId, Supplier<? extends Iterable<Connection>> connections) {
        this.nodeId = nodeId;
        this.connections = connections;
    }

    /** The id every item of this directory carries in {@code node}. */
    public String nodeId() {
        return nodeId;
    }

    /** A connection with the key it was sorted by, read once. */
    private record Row(Connection c, long number, String text) {}

    @Override
    public ConnectionPage query(ConnectionQuery query) {
        if (query.node() != null && !query.node().equals(nodeId)) return ConnectionPage.empty();
        ConnectionSort sort = query.sort();
        Comparator<Row> asc = (a, b) -> ConnectionQuery.compareAscending(sort, a.number, a.text, a.c.id(), b.number, b.text, b.c.id());
        Comparator<Row> order = query.descending() ? asc.reversed() : asc;
        int keep = query.limit() + 1; // one more than shown tells whether a next page exists
        PriorityQueue<Row> best = new PriorityQueue<>(Math.min(keep, 1024), order.reversed()); // head: the worst kept
        long total = 0;
        for (Connection c : connections.get()) {
            if (c.isClosed() || !matches(query, c)) continue;
            total++;
            Row row = row(c, sort);
            if (query.after() != null && query.compareToCursor(row.number, row.text, c.id()) <= 0) continue;
            if (best.size() < keep) {
                best.add(row);
            } else if (order.compare(row, best.peek()) < 0) {
                best.poll();
                best.add(row);
            }
        }
        List<Row> rows = new ArrayList<>(best);
        rows.sort(order);
        boolean more = rows.size() > query.limit();
        if (more) rows = rows.subList(0, query.limit());
        List<ConnectionView> items = new ArrayList<>(rows.size());
        for (Row r : rows) items.add(view(r, sort));
        String next = more ? ConnectionCursor.after(items.get(items.size() - 1), sort, query.descending()).encode() : null;
        return new ConnectionPage(total, items, next);
    }

    private static boolean matches(ConnectionQuery q, Connection c) {
        if (q.user() != null && !q.user().equals(c.user())) return false;
        if (!q.textMatches(c.user(), c.id(), c.principal().name(), c.remoteAddress(), c.userAgent())) return false;
        return q.room() == null || c.rooms().contains(q.room());
    }

    private static Row row(Connection c, ConnectionSort sort) {
        return switch (sort) {
            case CONNECTED_AT -> new Row(c, c.connectedAt(), null);
            case USER -> new Row(c, 0, c.user());
            case ID -> new Row(c, 0, c.id());
            case FRAMES_IN -> new Row(c, c.framesIn(), null);
            case FRAMES_OUT -> new Row(c, c.framesOut(), null);
            case QUEUED -> new Row(c, c.queued(), null);
        };
    }

    /** The item shows the counter it was sorted by as read for the sort, so that item, order and cursor agree. */
    private ConnectionView view(Row r, ConnectionSort sort) {
        Connection c = r.c;
        long in = sort == ConnectionSort.FRAMES_IN ? r.number : c.framesIn();
        long out = sort == ConnectionSort.FRAMES_OUT ? r.number : c.framesOut();
        int queued = sort == ConnectionSort.QUEUED ? (int) r.number : c.queued();
        return ConnectionView.of(c, nodeId, in, out, queued);
    }
}
