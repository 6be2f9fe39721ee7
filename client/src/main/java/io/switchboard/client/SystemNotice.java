package io.switchboard.client;

/**
 * An operator's broadcast. A room broadcast has {@code room} and {@code seq} (it takes the room's next seq and is
 * delivered in seq order with the room's messages); a broadcast to a user or to everyone has neither.
 */
public record SystemNotice(String text, String room, Long seq, long ts) {}
