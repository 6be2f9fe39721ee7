package io.switchboard.client;

import java.util.List;

/**
 * A page of the user's direct-message stream (sent and received), oldest first, by stream position
 * ({@link DirectMessage#seq()}); {@code hasMore} says whether older ones exist.
 */
public record DirectHistory(List<DirectMessage> messages, boolean hasMore) {
    public DirectHistory {
        messages = List.copyOf(messages);
    }
}
