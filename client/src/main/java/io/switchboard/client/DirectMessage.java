package io.switchboard.client;

/**
 * A direct message, received by the recipient and echoed to the sender. {@code seq} is server-wide: it grows
 * strictly for each user but has gaps.
 */
public record DirectMessage(long seq, String id, String from, String name, String to, String text, long ts) {}
