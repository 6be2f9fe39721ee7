package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeqOrderTest {

    @Test
    void inOrderItemsAreDeliveredAtOnce() {
        SeqOrder<String> o = new SeqOrder<>(10);
        assertTrue(o.offer(11, "a"));
        assertEquals(List.of("a"), o.drain());
        assertTrue(o.offer(12, "b"));
        assertTrue(o.offer(13, "c"));
        assertEquals(List.of("b", "c"), o.drain());
        assertEquals(13, o.delivered());
        assertNull(o.gap());
    }

    @Test
    void anythingAtOrBelowTheLastDeliveredSeqIsDropped() {
        SeqOrder<String> o = new SeqOrder<>(5);
        assertFalse(o.offer(5, "old"));
        assertFalse(o.offer(1, "older"));
        assertTrue(o.offer(6, "new"));
        assertFalse(o.offer(6, "again"), "a seq already held is a duplicate");
        assertEquals(List.of("new"), o.drain());
        assertFalse(o.offer(6, "replayed"), "a seq delivered is a duplicate");
        assertEquals(List.of(), o.drain());
    }

    @Test
    void earlyItemsWaitForTheGapAndComeOutInSeqOrder() {
        SeqOrder<String> o = new SeqOrder<>(0);
        o.offer(4, "d");
        o.offer(2, "b");
        assertEquals(List.of(), o.drain(), "nothing passes a gap");
        assertEquals(new SeqOrder.Gap(1, 1), o.gap());
        o.offer(1, "a");
        assertEquals(List.of("a", "b"), o.drain());
        assertEquals(new SeqOrder.Gap(3, 3), o.gap());
        o.offer(3, "c");
        assertEquals(List.of("c", "d"), o.drain());
        assertNull(o.gap());
        assertEquals(0, o.held());
    }

    @Test
    void theGapSpansFromTheNextExpectedSeqToJustBeforeTheFirstHeldOne() {
        SeqOrder<String> o = new SeqOrder<>(100);
        o.offer(131, "x");
        o.offer(140, "y");
        assertEquals(new SeqOrder.Gap(101, 130), o.gap());
    }

    @Test
    void skippingAGapThatCannotBeFilledResumesAtTheFirstHeldItem() {
        SeqOrder<String> o = new SeqOrder<>(3);
        o.offer(7, "g");
        o.offer(8, "h");
        o.skipTo(6);
        assertEquals(List.of("g", "h"), o.drain());
        assertEquals(8, o.delivered());
        o.skipTo(2);
        assertEquals(8, o.delivered(), "never backwards");
    }

    @Test
    void skippingPartOfAGapKeepsTheRestMissing() {
        SeqOrder<String> o = new SeqOrder<>(0);
        o.offer(9, "i");
        o.skipTo(4);
        assertEquals(new SeqOrder.Gap(5, 8), o.gap());
    }

    @Test
    void clearingHeldItemsKeepsThePositionSoAReplayStartsRightAfterIt() {
        SeqOrder<String> o = new SeqOrder<>(0);
        o.offer(1, "a");
        o.drain();
        o.offer(3, "c");
        o.clearHeld();
        assertEquals(1, o.delivered());
        assertEquals(0, o.held());
        assertNull(o.gap());
    }

    @Test
    void aHeldItemCanBeReplacedButADeliveredOneCannot() {
        SeqOrder<String> o = new SeqOrder<>(0);
        o.offer(2, "b");
        assertTrue(o.replace(2, s -> s.toUpperCase()));
        assertFalse(o.replace(5, s -> s));
        o.offer(1, "a");
        assertEquals(List.of("a", "B"), o.drain());
    }

    @Test
    void restartingMovesThePositionBackwards() {
        SeqOrder<String> o = new SeqOrder<>(50);
        o.offer(52, "x");
        o.restart(3);
        assertEquals(3, o.delivered());
        assertTrue(o.offer(4, "y"));
        assertEquals(List.of("y"), o.drain());
    }
}
