package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenFramesAreSpacedAtTheRate() {
        Pacer p = new Pacer(10, 3, 0);
        assertEquals(0, p.take(0));
        assertEquals(0, p.take(0));
        assertEquals(0, p.take(0));
        long wait = p.take(0);
        assertTrue(wait > 0 && wait <= SECOND / 10, "the fourth waits a tenth of a second: " + wait);
        assertEquals(0, p.take(wait), "after that wait a token is there");
    }

    @Test
    void idleTimeRefillsNoMoreThanTheBurst() {
        Pacer p = new Pacer(10, 2, 0);
        p.take(0);
        p.take(0);
        long later = 100 * SECOND;
        assertEquals(0, p.take(later));
        assertEquals(0, p.take(later));
        assertTrue(p.take(later) > 0);
    }
}
