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

    private static Result storm(String target, String mode, double seconds, int resumed) {
        Result r = new Result().put("scenario", "E").put("step", "E").put("target", target).put("status", "ok")
                .put("conns", 2000).put("established", 2000).put("failed", 0).put("connect_per_s", 700.0)
                .put("resume_mode", mode).put("resumed", resumed)
                .put("resume_failures", resumed == 2000 ? Map.of() : Map.of("timeout", 2000L - resumed))
                .put("resume_s", seconds).put("resume_per_s", resumed / seconds)
                .put("resume_p50_ms", 900.0).put("resume_p99_ms", 1800.0);
        if (mode.equals("since")) r.put("replayed", 9000).put("resume_gaps", 0).put("resume_duplicates", 0);
        else r.put("replayed", null).put("resume_gaps", null).put("resume_duplicates", null);
        return r;
    }

    @Test
    void theStormHasItsRowsItsRatioAndASummaryColumn() {
        List<Result> results = List.of(storm("switchboard", "since", 4, 1990), storm("baseline", "reconnect", 1, 2000));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Scenario.Step step = Scenario.E.steps(Scenario.E.params(false, Map.of("conns", "2000"))).get(0);
        Report.step(new PrintStream(bytes, true, StandardCharsets.UTF_8), step, results);
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("storm: resume mode") && l.contains("join with since")
                && l.contains("reconnect (no resume)")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("storm: resumed (failed)") && l.contains("1990 (timeout:10)")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("storm: resume time s / rate per s") && l.endsWith("0.249")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("storm: replayed / gaps / duplicates") && l.contains("9000 / 0 / 0")
                && l.contains("- / - / -")), table);
        assertEquals("RATIO scenario=E step=E connect_per_s=1 resume_per_s=0.249", Report.ratioLine(results));

        assertEquals("4 (1990/2000)", Report.resumeCell(results.get(0)));
        assertEquals("1*", Report.resumeCell(results.get(1)));
        assertEquals("-", Report.resumeCell(SWEEP.get(0)));
        bytes.reset();
        Report.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8), results);
        String summary = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("resume s") && summary.contains("4 (1990/2000)") && summary.contains("plain reconnect"), summary);
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
