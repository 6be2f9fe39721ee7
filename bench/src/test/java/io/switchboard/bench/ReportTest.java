package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Result sweep(String target, double rate, double perSecond, double p99, boolean pass) {
        return new Result().put("scenario", "C").put("step", "C@" + Report.num(rate) + "/s").put("target", target)
                .put("status", "ok").put("rate", rate).put("deliveries_per_s", perSecond).put("p99_ms", p99)
                .put("pass", pass).put("delivery_ratio", "1.0000");
    }

    private static final List<Result> SWEEP = List.of(
            sweep("switchboard", 1, 100_000, 20, true), sweep("baseline", 1, 100_000, 5, true),
            sweep("switchboard", 2, 199_000, 150, true), sweep("baseline", 2, 200_000, 8, true),
            sweep("switchboard", 3, 210_000, 900, false), sweep("baseline", 3, 300_000, 12, true));

    @Test
    void numbersAreCompact() {
        assertEquals("1000", Report.num(1000.0));
        assertEquals("12346", Report.num(12345.6));
        assertEquals("12.3", Report.num(12.34));
        assertEquals("1.23", Report.num(1.234));
        assertEquals("0.0123", Report.num(0.012345));
        assertEquals("-", Report.num(Double.NaN));
        assertEquals("0.9899", Report.ratio4(0.98994));
    }

    @Test
    void theSweepReportsTheHighestRateThatPassedPerTarget() {
        List<String> lines = Report.sweepLines(SWEEP);
        assertEquals("SWEEP target=switchboard steps=3 max_rate=2 deliveries_per_s=199000 p99_ms=150", lines.get(0));
        assertEquals("SWEEP target=baseline steps=3 max_rate=3 deliveries_per_s=300000 p99_ms=12", lines.get(1));
    }

    @Test
    void ratiosDivideSwitchboardByBaseline() {
        String line = Report.ratioLine(SWEEP.subList(2, 4));
        assertEquals("RATIO scenario=C step=C@2/s deliveries_per_s=0.995 p99_ms=18.8", line);
        assertNull(Report.ratioLine(SWEEP.subList(0, 1)));
    }

    @Test
    void theStepTableHasAColumnPerTargetAndRatios() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Scenario.Step step = Scenario.C.steps(Scenario.C.params(false, Map.of("rates", "2"))).get(0);
        Report.step(new PrintStream(bytes, true, StandardCharsets.UTF_8), step, SWEEP.subList(2, 4));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("metric") && table.contains("switchboard") && table.contains("baseline") && table.contains("sb/base"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("deliveries per s") && l.endsWith("0.995")), table);
    }

    @Test
    void theChartIsAPngWithOneSeriesPerTarget(@TempDir Path dir) throws Exception {
        Map<String, List<Chart.Point>> points = Chart.points(SWEEP);
        assertEquals(List.of("switchboard", "baseline"), List.copyOf(points.keySet()));
        assertEquals(3, points.get("switchboard").size());

        Path png = dir.resolve("chart.png");
        assertTrue(Chart.write(png, SWEEP, "test", 200));
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, magic);
        assertEquals(false, Chart.write(dir.resolve("none.png"), List.of(), "test", 200));
    }
}
