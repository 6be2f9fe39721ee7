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
}
