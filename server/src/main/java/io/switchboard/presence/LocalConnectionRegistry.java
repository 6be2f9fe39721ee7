package io.switchboard.presence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A single node's registry: its hub already counts every connection of a user, so there is nothing to add. */
public final class LocalConnectionRegistry implements ConnectionRegistry {
    private static final CompletableFuture<Boolean> YES = CompletableFuture.completedFuture(true);

    @Override public CompletionStage<Boolean> register(String user, String connectionId, int limit) { return YES; }
    @Override public void remove(String user, String connectionId) {}
    @Override public void close() {}
}
