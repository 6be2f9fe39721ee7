package io.switchboard.client;

/**
 * A room message. {@code id} is the sender's client id, {@code seq} its place in the room (gap-free from 1).
 * In history pages, operator broadcasts appear with {@code system} set and removed messages with {@code deleted}
 * set and empty text.
 */
public record Message(String room, long seq, String id, String from, String name, String text, long ts,
                      boolean system, boolean deleted) {}
