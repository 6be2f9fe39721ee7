package io.switchboard.presence;

import java.util.concurrent.CompletionStage;

/**
 * Every node's connections per user, for the per-user connection limit ({@code limits.connections.per.user}) across
 * the cluster. A node registers a connection before welcoming it and removes it when it closes; entries of a node
 * that stopped expire after {@code presence.ttl}.
 */
public interface ConnectionRegistry extends AutoCloseable {
    /**
     * Registers the connection unless the user already has {@code limit} connections anywhere; completes true when
     * registered. A single node always answers true (its own hub counts).
     */
    CompletionStage<Boolean> register(String user, String connectionId, int limit);

    /** Removes a closed connection. */
    void remove(String user, String connectionId);

    @Override
    void close();
}
