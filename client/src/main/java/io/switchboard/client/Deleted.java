package io.switchboard.client;

/** An operator removed the room message with this seq; hide it. */
public record Deleted(String room, long seq) {}
