package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.bench.ServerProcess.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    @Test
    void scenariosOptionsAndParametersAreParsed() {
        Bench.Options o = Bench.Options.parse(new String[] {
            "c", "B", "--C.rates=1,2", "--conns", "500", "--A.deflate=false", "--targets=baseline", "--server-opt=db.batch.size=512",
            "--jvm-opt=-XX:+UseParallelGC", "--jfr=60s", "--quick", "--no-chart"});
        assertEquals(List.of(Scenario.C, Scenario.B), o.scenarios);
        assertEquals(Map.of("C.rates", "1,2", "conns", "500", "A.deflate", "false"), o.params);
        assertEquals(List.of(Target.BASELINE), o.targets);
        assertEquals(List.of(Target.BASELINE), o.targets(Scenario.C));
        assertEquals(Map.of("db.batch.size", "512"), o.serverOptions);
        assertEquals(List.of("-XX:+UseParallelGC"), o.jvmOptions);
        assertEquals("60s", o.jfrDuration);
        assertTrue(o.quick);
        assertNull(o.chart);
    }

    @Test
    void theStormsParametersAreScenarioParameters() {
        Bench.Options o = Bench.Options.parse(new String[] {"E", "--E.storm-messages=3", "--resume=false"});
        assertEquals(Map.of("E.storm-messages", "3", "resume", "false"), o.params);
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--E.resumes=true"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--storm-messages="}));
    }

    @Test
    void secretServerOptionsAreNotPrinted() {
        assertEquals(Map.of("db.url", "jdbc:postgresql://h/db", "db.password", "***"),
                Bench.masked(Map.of("db.url", "jdbc:postgresql://h/db", "db.password", "hunter2")));
    }

    @Test
    void noScenarioMeansAllOfThem() {
        Bench.Options o = Bench.Options.parse(new String[0]);
        assertEquals(Scenario.defaults(), o.scenarios);
        assertEquals(Path.of("docs/bench-p99-vs-rate.png"), o.chart);
    }

    @Test
    void mistakesAreRefusedBeforeAnythingRuns() {
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--conn=5"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--Z.conns=5"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"G"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--targets=nginx"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--heap=lots"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--rates"}));
    }

    @Test
    void stepsThatNeedMoreOpenFilesThanAllowedAreSkipped() {
        Scenario.Step big = Scenario.A.steps(Scenario.A.params(false, Map.of())).get(1);
        assertTrue(Bench.skipReason(big, Target.SWITCHBOARD, 20_000, false, false).startsWith("open_files_limit_20000"));
        assertNull(Bench.skipReason(big, Target.SWITCHBOARD, 20_000, true, false));
        Scenario.Step dm = Scenario.D.steps(Scenario.D.params(false, Map.of())).get(0);
        assertEquals("baseline_has_no_direct_messages", Bench.skipReason(dm, Target.BASELINE, 100_000, false, false));
    }
}
