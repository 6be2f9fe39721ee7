package io.switchboard.client;

import java.util.List;

/** A page of a room's history, oldest first; {@code hasMore} says whether older messages exist. */
public record History(String room, List<Message> messages, boolean hasMore) {
    public History {
        messages = List.copyOf(messages);
    }
}
