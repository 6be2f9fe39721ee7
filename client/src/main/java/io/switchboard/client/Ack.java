package io.switchboard.client;

/**
 * The server stored the message with this id: {@code room} and {@code seq} for a room message, {@code to} and
 * {@code seq} for a direct one. {@code duplicate} is true when a retry found the message already stored (for
 * example after a reconnect); the seq is then the original one.
 */
public record Ack(String id, String room, String to, long seq, long ts, boolean duplicate) {}
