package io.switchboard.client;

/** The client is no longer in a room: {@code reason} is {@code "room_closed"} when an operator closed it. */
public record Left(String room, String reason) {}
