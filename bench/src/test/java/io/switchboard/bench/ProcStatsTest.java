package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 0 0 20 0 42 0 100 0 0";
        assertEquals(1750, ProcStats.cpuTicks(stat));
    }

    @Test
    void rssIsReadFromVmRssInKilobytes() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  204800 kB\nThreads:\t42\n";
        assertEquals(204800L * 1024, ProcStats.rssBytes(status));
        assertEquals(-1, ProcStats.rssBytes("Name:\tjava\n"));
    }

    @Test
    void busiestThreadsAreGroupedByNameWithDigitsFolded() {
        assertEquals("switchboard-seq", ProcStats.threadName("77 (switchboard-seq) R 1 2 3"));
        Map<Long, Map.Entry<String, Long>> before = Map.of(
                1L, Map.entry("switchboard-seq", 1000L), 2L, Map.entry("qtp12-34", 10L), 3L, Map.entry("qtp12-35", 10L));
        Map<Long, Map.Entry<String, Long>> after = Map.of(
                1L, Map.entry("switchboard-seq", 1000L + 2 * ProcStats.clockTicks()),
                2L, Map.entry("qtp12-34", 10L + ProcStats.clockTicks() / 2),
                3L, Map.entry("qtp12-35", 10L + ProcStats.clockTicks() / 2),
                4L, Map.entry("new-thread", ProcStats.clockTicks() / 10));
        List<Map.Entry<String, Double>> busiest = ProcStats.busiestThreads(before, after, 2.0);
        assertEquals(Map.entry("switchboard-seq", 100.0), busiest.get(0));
        assertEquals(Map.entry("qtpN-N", 50.0), busiest.get(1));
        assertEquals(Map.entry("new-thread", 5.0), busiest.get(2));
    }

    @Test
    void hostCpuCountsIdleAndIowaitAsNotBusy() {
        String stat = "cpu  100 10 50 800 40 0 0 0 0 0\ncpu0 50 5 25 400 20 0 0 0 0 0\n";
        assertArrayEquals(new long[] {160, 1000}, ProcStats.hostCpu(stat));
    }

    @Test
    void groupCpuSumsItsProcessesAndCountsNewOnesFromZero() {
        long hz = ProcStats.clockTicks();
        // Two seconds apart: node 10 used one core, node 11 half a core; PostgreSQL's backend 21 started in between
        // and used a quarter of a core; backend 22 ended in between (lost).
        ProcStats.Mark a = new ProcStats.Mark(0, Map.of(10L, 100L, 11L, 100L, 20L, 5L, 22L, 7L),
                Map.of("server", List.of(10L, 11L), "postgres", List.of(20L, 22L)), 0, 0, 0, Map.of());
        ProcStats.Mark b = new ProcStats.Mark(2_000_000_000L, Map.of(10L, 100L + 2 * hz, 11L, 100L + hz, 20L, 5L, 21L, hz / 2),
                Map.of("server", List.of(10L, 11L), "postgres", List.of(20L, 21L)), 0, 0, 0, Map.of());
        assertEquals(150.0, a.serverPct(b), 1e-9);
        assertEquals(100.0, a.pidPct(b, 10L), 1e-9);
        assertEquals(50.0, a.pidPct(b, 11L), 1e-9);
        assertEquals(25.0, a.groupPct(b, "postgres"), 1e-9);
        assertEquals(Double.NaN, a.pidPct(b, 21L));
        assertEquals(Double.NaN, a.groupPct(b, "redis"));
    }
}
