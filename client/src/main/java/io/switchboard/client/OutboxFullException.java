package io.switchboard.client;

/**
 * A send, dm or history request was refused at once because {@code outboxLimit} requests are already waiting for
 * their answer (typically while disconnected). Nothing was queued; the application may retry later.
 */
public final class OutboxFullException extends SwitchboardException {
    private final int limit;

    public OutboxFullException(int limit) {
        super("outbox_full", limit + " requests are already waiting for an answer; retry once some are acked");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
