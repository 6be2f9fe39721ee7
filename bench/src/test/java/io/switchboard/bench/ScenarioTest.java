package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void theSweepHasOneStepPerRateOnBsShape() {
        List<Scenario.Step> steps = Scenario.C.steps(Scenario.C.params(false, Map.of()));
        assertEquals(9, steps.size());
        assertEquals("C@0.25/s", steps.get(0).label());
        assertEquals(1000, steps.get(0).conns());
        assertEquals(10, steps.get(0).rooms());
        assertEquals(8.0, steps.get(8).rate());
    }

    @Test
    void scenarioOverridesBeatGeneralOnesWhichBeatDefaults() {
        Map<String, String> o = Map.of("conns", "300", "C.conns", "200", "C.rates", "1,2", "duration", "7s");
        List<Scenario.Step> c = Scenario.C.steps(Scenario.C.params(false, o));
        assertEquals(List.of(200, 200), c.stream().map(Scenario.Step::conns).toList());
        assertEquals(2, c.get(0).rooms());
        assertEquals(Duration.ofSeconds(7), c.get(0).duration());
        assertEquals(300, Scenario.B.steps(Scenario.B.params(false, o)).get(0).conns());
    }

    @Test
    void idleRunsOneStepPerConnectionCountAndQuickScalesThemDown() {
        List<Scenario.Step> full = Scenario.A.steps(Scenario.A.params(false, Map.of()));
        assertEquals(List.of("A@10000", "A@50000"), full.stream().map(Scenario.Step::label).toList());
        assertEquals(100, full.get(0).rooms());
        assertEquals(3, full.get(1).clients());
        List<Scenario.Step> quick = Scenario.A.steps(Scenario.A.params(true, Map.of()));
        assertEquals(List.of(1000, 5000), quick.stream().map(Scenario.Step::conns).toList());
    }

    @Test
    void onlyTheIdleScenarioOffersPermessageDeflateUnlessTold() {
        for (Scenario s : Scenario.values()) {
            List<Scenario.Step> steps = s.steps(s.params(false, Map.of()));
            assertEquals(s == Scenario.A, steps.get(0).deflate(), s.name());
            assertEquals(s == Scenario.A, steps.get(0).describe().contains("offering permessage-deflate"), s.name());
        }
        assertFalse(Scenario.A.steps(Scenario.A.params(false, Map.of("A.deflate", "false"))).get(0).deflate());
        assertTrue(Scenario.B.steps(Scenario.B.params(false, Map.of("deflate", "true"))).get(0).deflate());
        assertFalse(Scenario.A.steps(Scenario.A.params(true, Map.of("deflate", "true", "A.deflate", "false"))).get(0).deflate());
        assertThrows(IllegalArgumentException.class, () -> Scenario.A.steps(Scenario.A.params(false, Map.of("deflate", "yes"))));
    }

    @Test
    void anExplicitRoomCountWinsOverRoomSize() {
        Scenario.Step s = Scenario.B.steps(Scenario.B.params(false, Map.of("rooms", "4"))).get(0);
        assertEquals(4, s.rooms());
    }

    @Test
    void outOfBoundsParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Scenario.B.steps(Scenario.B.params(false, Map.of("conns", "300000"))));
        assertThrows(IllegalArgumentException.class, () -> Scenario.B.steps(Scenario.B.params(false, Map.of("duration", "11m"))));
        assertThrows(IllegalArgumentException.class, () -> Scenario.B.steps(Scenario.B.params(false, Map.of("rate", "0"))));
        assertThrows(IllegalArgumentException.class, () -> Scenario.B.steps(Scenario.B.params(false, Map.of("payload", "x"))));
    }

    @Test
    void theStormResumesByDefaultAndOnlyInE() {
        Scenario.Step e = Scenario.E.steps(Scenario.E.params(false, Map.of())).get(0);
        assertEquals(true, e.resume());
        assertEquals(5, e.stormMessages());
        assertEquals(1000, e.connectConcurrency());
        Scenario.Step off = Scenario.E.steps(Scenario.E.params(false, Map.of("E.resume", "false", "storm-messages", "0"))).get(0);
        assertEquals(false, off.resume());
        assertEquals(0, off.stormMessages());
        assertEquals(true, Scenario.E.steps(Scenario.E.params(true, Map.of("resume", "true"))).get(0).resume());
        // Accepted for every scenario (so that --resume=false reads naturally), but only E has the phase.
        assertEquals(false, Scenario.B.steps(Scenario.B.params(false, Map.of("resume", "true"))).get(0).resume());
    }

    @Test
    void stormParametersOutOfBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Scenario.E.steps(Scenario.E.params(false, Map.of("resume", "maybe"))));
        assertThrows(IllegalArgumentException.class, () -> Scenario.E.steps(Scenario.E.params(false, Map.of("storm-messages", "101"))));
        assertThrows(IllegalArgumentException.class, () -> Scenario.E.steps(Scenario.E.params(false, Map.of("storm-messages", "-1"))));
    }

    @Test
    void durationsReadAsWritten() {
        assertEquals(Duration.ofMillis(500), Params.parseDuration("500ms", "d"));
        assertEquals(Duration.ofSeconds(10), Params.parseDuration("10s", "d"));
        assertEquals(Duration.ofMinutes(2), Params.parseDuration("2m", "d"));
        assertEquals(Duration.ofMillis(1500), Params.parseDuration("1.5", "d"));
    }
}
