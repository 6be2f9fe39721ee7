package io.switchboard.client;

/** A user's first connection joined ({@code event = "join"}) or last one left ({@code "leave"}) a room. */
public record Presence(String room, String user, String event) {
    public boolean isJoin() {
        return "join".equals(event);
    }
}
