package io.switchboard.chat;

import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import java.util.LinkedHashMap;
import java.util.Map;

/** The per-connection limits, read once from configuration. */
public record Limits(int frameBytes, int textChars, int ratePerSecond, int burst, int roomsPerConnection,
                     int connectionsPerUser, int connectionsPerIp, int violationsPerMinute, int replayMax,
                     int historyPageMax, boolean autocreateRooms) {

    public static Limits from(Config c) {
        return new Limits(c.get(Keys.LIMIT_FRAME_BYTES), c.get(Keys.LIMIT_TEXT_CHARS), c.get(Keys.LIMIT_RATE),
                c.get(Keys.LIMIT_BURST), c.get(Keys.LIMIT_ROOMS), c.get(Keys.LIMIT_CONNECTIONS_PER_USER),
                c.get(Keys.LIMIT_CONNECTIONS_PER_IP), c.get(Keys.LIMIT_VIOLATIONS), c.get(Keys.REPLAY_MAX),
                c.get(Keys.HISTORY_PAGE_MAX), c.get(Keys.ROOMS_AUTOCREATE));
    }

    /** What the welcome frame tells clients, so they can stay within the limits. */
    public Map<String, Integer> forClients() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("frameBytes", frameBytes);
        m.put("textChars", textChars);
        m.put("ratePerSecond", ratePerSecond);
        m.put("burst", burst);
        m.put("roomsPerConnection", roomsPerConnection);
        m.put("historyPageMax", historyPageMax);
        return m;
    }
}
