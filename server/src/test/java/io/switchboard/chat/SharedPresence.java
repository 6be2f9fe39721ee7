package io.switchboard.chat;

import io.switchboard.presence.Presence;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Cluster presence in memory, for fast tests: counts per (room, user) the nodes that reported the user there. */
final class SharedPresence {
    private final Map<String, Map<String, Set<Integer>>> rooms = new HashMap<>();
    private int nodes;

    synchronized Presence newNode() {
        int id = nodes++;
        return new Presence() {
            @Override
            public CompletionStage<Boolean> joined(String room, String user) {
                synchronized (SharedPresence.this) {
                    Set<Integer> where = rooms.computeIfAbsent(room, r -> new HashMap<>()).computeIfAbsent(user, u -> new HashSet<>());
                    boolean first = where.isEmpty();
                    where.add(id);
                    return CompletableFuture.completedFuture(first);
                }
            }

            @Override
            public CompletionStage<Boolean> left(String room, String user) {
                synchronized (SharedPresence.this) {
                    Set<Integer> where = rooms.getOrDefault(room, Map.of()).get(user);
                    if (where == null || !where.remove(id)) return CompletableFuture.completedFuture(false);
                    if (where.isEmpty()) rooms.get(room).remove(user);
                    return CompletableFuture.completedFuture(where.isEmpty());
                }
            }

            @Override
            public CompletionStage<Set<String>> online(String room) {
                synchronized (SharedPresence.this) {
                    return CompletableFuture.completedFuture(Set.copyOf(rooms.getOrDefault(room, Map.of()).keySet()));
                }
            }

            @Override
            public CompletionStage<Map<String, Set<String>>> expired() {
                return CompletableFuture.completedFuture(Map.of());
            }

            @Override public void close() {}
        };
    }
}
