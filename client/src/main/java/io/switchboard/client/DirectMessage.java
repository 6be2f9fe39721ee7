package io.switchboard.client;

/**
 * A direct message, received by the recipient and echoed to the sender's connections. {@code seq} is its position
 * in the stream of the user this client is signed in as (every DM the user sent or received, gap-free from 1):
 * the recipient's copy and the sender's echo carry different seqs.
 */
public record DirectMessage(long seq, String id, String from, String name, String to, String text, long ts) {}
