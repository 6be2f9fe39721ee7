package io.switchboard.directory;

import java.util.Comparator;

/**
 * A search over live connections. Filters (each null for "any"): {@code q} is a case-insensitive substring of the
 * user id, connection id, display name, remote address or user agent; {@code user} an exact user id; {@code room}
 * a room the connection has joined; {@code node} the id of the node holding it. Order: {@code sort} then the
 * connection id, ascending or {@code descending}. Paging: the first {@code limit} (at least 1) matches strictly
 * after the cursor {@code after} (null: from the start).
 *
 * @throws IllegalArgumentException when {@code limit} is below 1 or {@code after} belongs to another order (a message
 *                                  fit for a 400 answer)
 */
public record ConnectionQuery(String q, String user, String room, String node, ConnectionSort sort, boolean descending,
                              int limit, ConnectionCursor after) {

    public ConnectionQuery {
        if (q != null && q.isEmpty()) q = null;
        if (sort == null) sort = ConnectionSort.CONNECTED_AT;
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
        if (after != null && (after.sort() != sort || after.descending() != descending)) {
            throw new IllegalArgumentException("the cursor belongs to another sort order: start again without a cursor");
        }
    }

    /** Every connection, oldest first, {@code limit} at a time. */
    public static ConnectionQuery all(int limit) {
        return new ConnectionQuery(null, null, null, null, ConnectionSort.CONNECTED_AT, false, limit, null);
    }

    /** The same query for the page after {@code cursor}. */
    public ConnectionQuery after(ConnectionCursor cursor) {
        return new ConnectionQuery(q, user, room, node, sort, descending, limit, cursor);
    }

    /** The order of the results: the sort key, then the id; reversed as a whole when descending. */
    public Comparator<ConnectionView> order() {
        Comparator<ConnectionView> asc = (a, b) -> compareAscending(sort, sort.number(a), sort.text(a), a.id(),
                sort.number(b), sort.text(b), b.id());
        return descending ? asc.reversed() : asc;
    }

    /** True when the text filter {@code q} matches one of the given fields (null fields never match). */
    public boolean textMatches(String userId, String id, String name, String address, String userAgent) {
        return q == null || containsIgnoreCase(userId, q) || containsIgnoreCase(id, q) || containsIgnoreCase(name, q)
                || containsIgnoreCase(address, q) || containsIgnoreCase(userAgent, q);
    }

    /** True when the view passes every filter (the cursor aside). */
    public boolean matches(ConnectionView v) {
        return (user == null || user.equals(v.user()))
                && (node == null || node.equals(v.node()))
                && (room == null || v.rooms().contains(room))
                && textMatches(v.user(), v.id(), v.name(), v.remoteAddress(), v.userAgent());
    }

    /** Compares two keys in ascending (key, id) order. */
    static int compareAscending(ConnectionSort sort, long n1, String t1, String id1, long n2, String t2, String id2) {
        int c = sort.numeric() ? Long.compare(n1, n2) : t1.compareTo(t2);
        return c != 0 ? c : id1.compareTo(id2);
    }

    /** Negative, zero or positive as the key (n, t, id) comes before, at or after the cursor in this query's order. */
    int compareToCursor(long n, String t, String id) {
        int c = compareAscending(sort, n, t, id, after.number(), after.text(), after.id());
        return descending ? -c : c;
    }

    /** Substring search ignoring case, without allocating (it runs once per connection per query). */
    static boolean containsIgnoreCase(String haystack, String needle) {
        if (haystack == null) return false;
        int n = needle.length();
        for (int i = 0, last = haystack.length() - n; i <= last; i++) {
            if (haystack.regionMatches(true, i, needle, 0, n)) return true;
        }
        return false;
    }
}
