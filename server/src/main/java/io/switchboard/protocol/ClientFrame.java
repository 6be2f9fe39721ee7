package io.switchboard.protocol;

/** Frames a chat client sends. Every frame may carry a client-chosen {@code id}; send and dm require one. */
public sealed interface ClientFrame {
    String id();

    /** {@code since}: the last seq the client saw; {@code epoch}: the epoch that seq belongs to (both optional). */
    record Join(String id, String room, Long since, String epoch) implements ClientFrame {}

    record Leave(String id, String room) implements ClientFrame {}

    record Send(String id, String room, String text) implements ClientFrame {}

    record Dm(String id, String to, String text) implements ClientFrame {}

    record History(String id, String room, Long before, Integer limit) implements ClientFrame {}

    /** A page of the user's own DM stream: entries with seq below {@code before} (default: the newest). */
    record DmHistory(String id, Long before, Integer limit) implements ClientFrame {}

    record Ping(String id) implements ClientFrame {}
}
