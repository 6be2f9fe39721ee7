package io.switchboard.client;

/** An operator is disconnecting this connection; the close (4004, or 4003 for a ban) follows. */
public record Kicked(String reason) {}
