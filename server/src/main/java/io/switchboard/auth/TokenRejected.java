package io.switchboard.auth;

/** Why a client token was refused: a reason token for the close frame and whether a fresh token would help. */
public record TokenRejected(String reason, boolean expired) {}
