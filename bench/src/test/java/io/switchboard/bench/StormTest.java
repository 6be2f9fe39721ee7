package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scenario E's reconnect storm: how one client's resume is judged from its frames, and what the tracks add up to. */
class StormTest {
    private static Storm.Track track(long since) {
        Storm.Track t = new Storm.Track(since, "ep1");
        t.dropped(1_000);
        return t;
    }

    @Test
    void aClientIsResumedWhenTheLastMissedMessageArrives() {
        Storm.Track t = track(5);
        t.joined(8, "ep1", false, 2_000);
        assertFalse(t.resumed());
        t.message(6, 3_000);
        t.message(7, 4_000);
        assertFalse(t.resumed());
        t.message(8, 5_000);
        assertTrue(t.resumed());
        assertEquals(5_000, t.resumedNanos());
        assertEquals(3, t.replayed());
        assertNull(t.failure());

        t.message(9, 6_000); // live after the replay
        assertEquals(3, t.replayed());
        assertEquals(0, t.missing(9));
        assertEquals(1, t.missing(10), "seq 10 never arrived");
        assertEquals(0, t.duplicates());
    }

    @Test
    void nothingMissedMeansResumedAtJoined() {
        Storm.Track t = track(5);
        t.joined(5, "ep1", false, 2_000);
        assertTrue(t.resumed());
        assertEquals(2_000, t.resumedNanos());
        assertEquals(0, t.replayed());
        assertEquals(0, t.missing(5));
    }

    @Test
    void aSkippedSeqIsAGapAndTheClientDoesNotResume() {
        Storm.Track t = track(5);
        t.joined(8, "ep1", false, 2_000);
        t.message(6, 3_000);
        t.message(8, 4_000);
        assertFalse(t.resumed());
        assertEquals("gap", t.failure());
        assertEquals(1, t.missing(8));
        t.message(7, 5_000); // late: still not a resume
        assertFalse(t.resumed());
        assertEquals(0, t.missing(8));
    }

    @Test
    void aMessageSeenTwiceOrAtOrBelowSinceIsADuplicate() {
        Storm.Track t = track(5);
        t.joined(7, "ep1", false, 2_000);
        t.message(6, 3_000);
        t.message(6, 3_500);
        t.message(7, 4_000);
        assertFalse(t.resumed());
        assertEquals("duplicate", t.failure());
        assertEquals(1, t.duplicates());

        Storm.Track old = track(5);
        old.joined(6, "ep1", false, 2_000);
        old.message(5, 2_500);
        assertEquals("duplicate", old.failure());
        assertEquals(1, old.duplicates());
    }

    @Test
    void aDuplicateAfterTheResumeIsCountedButTheResumeStands() {
        Storm.Track t = track(5);
        t.joined(6, "ep1", false, 2_000);
        t.message(6, 3_000);
        t.message(6, 4_000);
        assertTrue(t.resumed());
        assertEquals(1, t.duplicates());
    }

    @Test
    void anotherEpochATruncatedReplayOrASeqBehindSinceIsNoResume() {
        Storm.Track epoch = track(5);
        epoch.joined(9, "ep2", false, 2_000);
        assertEquals("epoch_changed", epoch.failure());
        assertEquals(0, epoch.missing(9), "positions of another epoch are not compared");

        Storm.Track cut = track(5);
        cut.joined(900, "ep1", true, 2_000);
        assertEquals("replay_truncated", cut.failure());

        Storm.Track behind = track(5);
        behind.joined(3, "ep1", false, 2_000);
        assertEquals("seq_behind", behind.failure());

        Storm.Track unknown = new Storm.Track(5, null);
        unknown.joined(5, "whatever", false, 2_000);
        assertTrue(unknown.resumed(), "no stored epoch: nothing to compare");
    }

    @Test
    void aJoinedClientWhoseReplayDidNotFinishIsIncompleteOneThatNeverJoinedIsNotCountedHere() {
        Storm.Track slow = track(5);
        slow.joined(8, "ep1", false, 2_000);
        slow.message(6, 3_000);
        slow.expire();
        assertEquals("incomplete", slow.failure());
        assertFalse(slow.resumed());
        assertTrue(slow.done.isDone());

        Storm.Track never = track(5);
        never.expire();
        assertTrue(never.done.isDone());
        assertFalse(never.resumed());
        assertNull(never.failure(), "its connection counted the connect failure");
    }

    @Test
    void aPlainReconnectIsResumedWhenItRejoined() {
        Storm.Track t = new Storm.Track(0, null);
        t.dropped(1_000);
        t.reconnected(9_000);
        assertTrue(t.resumed());
        assertEquals(9_000, t.resumedNanos());
    }

    @Test
    void theFiguresRunFromTheFirstDropToTheLastResume() {
        Storm.Track a = new Storm.Track(0, "e");
        a.dropped(1_000_000);
        a.joined(0, "e", false, 11_000_000); // 10 ms after its drop
        Storm.Track b = new Storm.Track(0, "e");
        b.dropped(2_000_000);
        b.joined(0, "e", false, 502_000_000); // 500 ms after its drop, the last
        Storm.Track c = new Storm.Track(0, "e");
        c.dropped(3_000_000);
        c.joined(2, "e", false, 4_000_000);
        c.expire();
        Storm.Track d = new Storm.Track(0, "e"); // never joined
        d.expire();

        Storm.Figures f = Storm.figures(new Storm.Track[] {a, b, c, d}, 1_000_000);
        assertEquals(2, f.resumed());
        assertEquals(0.501, f.seconds(), 1e-9);
        assertEquals(2, f.latency().getTotalCount());
        assertEquals(10_000, f.latency().getValueAtPercentile(50), 10);
        assertEquals(500_000, f.latency().getMaxValue(), 500);
        assertEquals(Map.of("incomplete", 1L), f.failures());

        Storm.Figures none = Storm.figures(new Storm.Track[] {d}, 1_000_000);
        assertEquals(0, none.resumed());
        assertEquals(1e-3, none.seconds());
    }

    @Test
    void theResumingJoinCarriesSinceAndEpoch() {
        assertEquals("{\"type\":\"join\",\"id\":\"resume\",\"room\":\"r3\",\"since\":5,\"epoch\":\"ep1\"}", Storm.joinFrame("r3", 5, "ep1"));
        assertEquals("{\"type\":\"join\",\"id\":\"resume\",\"room\":\"r3\",\"since\":0}", Storm.joinFrame("r3", 0, null));
    }

    @Test
    void feederIdsNameTheirChainAndNumber() {
        assertEquals("g.r12", Storm.chainKey("g.r12.3"));
        assertEquals(3, Storm.number("g.r12.3"));
        assertEquals("j", Storm.chainKey("j.r12"));
        assertEquals(-1, Storm.number("g.r12.x"));
    }

    @Test
    void countsOfSeveralMapsAddUp() {
        assertEquals(Map.of("busy", 3L, "timeout", 1L), Stats.merge(Map.of("busy", 1L), Map.of(), Map.of("busy", 2L, "timeout", 1L)));
    }
}
