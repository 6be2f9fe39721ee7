package io.switchboard.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.config.Keys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** shutdown.grace must leave the drain room to finish and the writes a second to be stored; the defaults do. */
class DrainSettingsTest {
    @Test
    void theDefaultsDrainFor5sThenOver10sWithinA30sGrace() {
        Config c = Config.load(Map.of(), List.of());
        assertEquals(Duration.ofSeconds(5), c.get(Keys.DRAIN_DELAY));
        assertEquals(Duration.ofSeconds(10), c.get(Keys.DRAIN_WINDOW));
        assertEquals(Duration.ofSeconds(30), c.get(Keys.SHUTDOWN_GRACE));
    }

    @Test
    void aGraceShorterThanDelayPlusWindowPlusOneSecondStopsStartUpNamingTheKeys() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.load(Map.of(), List.of("--shutdown-grace=10s")));
        assertEquals("Invalid value for shutdown.grace: must be at least drain.delay + drain.window + 1s (16s), so that"
                + " a drain on SIGTERM ends and queued writes are stored before the process is stopped hard; raise it or"
                + " shorten the drain", e.getMessage());
        assertThrows(ConfigException.class, () -> Config.load(Map.of("SWITCHBOARD_DRAIN_WINDOW", "25s"), List.of()));
        // Exactly enough is enough; a drain of 0 and 0 closes everything at once.
        assertEquals(Duration.ofSeconds(16), Config.load(Map.of(), List.of("--shutdown-grace=16s")).get(Keys.SHUTDOWN_GRACE));
        Config none = Config.load(Map.of(), List.of("--drain-delay=0", "--drain-window=0", "--shutdown-grace=1s"));
        assertEquals(Duration.ZERO, none.get(Keys.DRAIN_WINDOW));
        assertThrows(ConfigException.class, () -> Config.load(Map.of(), List.of("--drain-window=-1s")));
    }
}
