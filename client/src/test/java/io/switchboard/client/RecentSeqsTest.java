package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentSeqsTest {

    @Test
    void aSeqIsNewOnceInAnyOrder() {
        RecentSeqs seen = new RecentSeqs(10);
        assertTrue(seen.firstTime(7));
        assertTrue(seen.firstTime(3), "lower but unseen");
        assertFalse(seen.firstTime(7));
        assertFalse(seen.firstTime(3));
    }

    @Test
    void onlyTheMostRecentAreRemembered() {
        RecentSeqs seen = new RecentSeqs(2);
        seen.firstTime(1);
        seen.firstTime(2);
        seen.firstTime(3);
        assertFalse(seen.firstTime(3));
        assertTrue(seen.firstTime(1), "forgotten after two newer ones");
    }
}
