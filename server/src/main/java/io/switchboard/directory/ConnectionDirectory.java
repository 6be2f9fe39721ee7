package io.switchboard.directory;

/**
 * Answers connection queries: search, sort and keyset paging over live connections. {@link LocalConnectionDirectory}
 * answers for this node; a cluster answers for every node by asking each for its own page with the same query and
 * combining the answers with {@link ConnectionPages#merge}, which gives exactly the page one node holding every
 * connection would have given.
 */
public interface ConnectionDirectory {
    /**
     * The page of {@code query}: the first {@code query.limit()} matching connections strictly after
     * {@code query.after()} in the query's order, and the number of matches. Never blocks on I/O in the local case.
     */
    ConnectionPage query(ConnectionQuery query);
}
