package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = 1_000_000L;
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void theCeilingDoublesFromTheBaseUntilTheCap() {
        assertEquals(100 * MS, backoff.ceilingNanos(0));
        assertEquals(200 * MS, backoff.ceilingNanos(1));
        assertEquals(6400 * MS, backoff.ceilingNanos(6));
        assertEquals(10_000 * MS, backoff.ceilingNanos(7));
        assertEquals(10_000 * MS, backoff.ceilingNanos(62));
        assertEquals(10_000 * MS, backoff.ceilingNanos(Integer.MAX_VALUE), "no overflow however long it tries");
        assertEquals(100 * MS, backoff.ceilingNanos(-1));
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRangeAndNeverPastTheCeiling() {
        Random random = new Random(42);
        for (int attempt = 0; attempt < 80; attempt++) {
            long ceiling = backoff.ceilingNanos(attempt);
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long d = backoff.delayNanos(attempt, random::nextDouble);
                assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d + " outside [0, " + ceiling + "]");
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertTrue(min < ceiling / 10, "attempt " + attempt + ": delays near zero occur (full jitter)");
            assertTrue(max > ceiling * 9 / 10, "attempt " + attempt + ": delays near the ceiling occur");
        }
    }

    @Test
    void theExtremesOfTheRandomSourceGiveZeroAndJustUnderTheCeiling() {
        assertEquals(0, backoff.delayNanos(3, () -> 0.0));
        assertTrue(backoff.delayNanos(3, () -> Math.nextDown(1.0)) < backoff.ceilingNanos(3));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
