package io.switchboard.client;

/**
 * A place in a room's sequence or in the user's direct-message stream: the last {@code seq} delivered (0: none)
 * and the {@code epoch} of that sequence (an opaque string; null when not known). A position means nothing in
 * another epoch: store both together to resume after a restart ({@link SwitchboardClient#resume(String, Position)},
 * {@link SwitchboardClient.Builder#dmResume(Position)}).
 */
public record Position(long seq, String epoch) {
    public Position {
        if (seq < 0) throw new IllegalArgumentException("seq must not be negative");
    }
}
