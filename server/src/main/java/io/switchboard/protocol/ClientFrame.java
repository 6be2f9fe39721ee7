package io.switchboard.protocol;

/** Frames a chat client sends. Every frame may carry a client-chosen {@code id}; send and dm require one. */
public sealed interface ClientFrame {
    String id();

    record Join(String id, String room, Long since) implements ClientFrame {}

    record Leave(String id, String room) implements ClientFrame {}

    record Send(String id, String room, String text) implements ClientFrame {}

    record Dm(String id, String to, String text) implements ClientFrame {}

    record History(String id, String room, Long before, Integer limit) implements ClientFrame {}

    record Ping(String id) implements ClientFrame {}
}
