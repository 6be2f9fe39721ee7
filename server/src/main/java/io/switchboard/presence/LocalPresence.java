package io.switchboard.presence;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Presence of a single node: this node's first connection of a user in a room is the first anywhere, its last the
 * last anywhere. The room's live members are the only state, kept by the chat core.
 */
public final class LocalPresence implements Presence {
    private static final CompletableFuture<Boolean> YES = CompletableFuture.completedFuture(true);

    @Override public CompletionStage<Boolean> joined(String room, String user) { return YES; }
    @Override public CompletionStage<Boolean> left(String room, String user) { return YES; }
    @Override public CompletionStage<Set<String>> online(String room) { return CompletableFuture.completedFuture(Set.of()); }
    @Override public CompletionStage<Map<String, Set<String>>> expired() { return CompletableFuture.completedFuture(Map.of()); }
    @Override public void close() {}
}
