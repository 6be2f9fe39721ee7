package io.switchboard.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Readings from /proc (Linux): a process's CPU ticks and RSS, the host's CPU, and this JVM's own CPU time. */
final class ProcStats {
    private static volatile long clockTicks;

    private ProcStats() {}

    /** utime + stime, in clock ticks, from the text of /proc/PID/stat. */
    static long cpuTicks(String stat) {
        // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The parent process id (field 4) from the text of /proc/PID/stat. */
    static long parentPid(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[1]);
    }

    /** Every process whose parent is {@code pid} (one level), from /proc. */
    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String s = read(p.resolve("stat"));
                if (s == null) continue; // ended
                try {
                    if (parentPid(s) == pid) out.add(Long.parseLong(p.getFileName().toString()));
                } catch (RuntimeException ignored) {
                    // unreadable entry
                }
            }
        } catch (IOException e) {
            // no /proc: no children known
        }
        return out;
    }

    /** VmRSS in bytes from the text of /proc/PID/status, or -1. */
    static long rssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024;
            }
        }
        return -1;
    }

    /** {busy, total} jiffies of all CPUs from the first line of /proc/stat. */
    static long[] hostCpu(String procStat) {
        String first = procStat.substring(0, procStat.indexOf('\n'));
        String[] f = first.trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) total += Long.parseLong(f[i]);
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new long[] {total - idle, total};
    }

    /** The thread name (comm, at most 15 characters on Linux) from the text of /proc/PID/task/TID/stat. */
    static String threadName(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** CPU ticks of every thread of a process, by thread id, with the thread's name. */
    static Map<Long, Map.Entry<String, Long>> threadTicks(long pid) {
        Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                String s = read(task.resolve("stat"));
                if (s == null) continue; // the thread ended
                out.put(Long.parseLong(task.getFileName().toString()), Map.entry(threadName(s), cpuTicks(s)));
            }
        } catch (IOException | RuntimeException e) {
            // process gone or /proc unavailable: no per-thread figures
        }
        return out;
    }

    /**
     * The busiest threads between two per-thread readings, in percent of one core, grouped by name with digits
     * folded ({@code qtp123-45} → {@code qtpN-N}; {@code C2}, {@code G1} kept), highest first. A group near 100 that is a single thread is a
     * serial bottleneck.
     */
    static List<Map.Entry<String, Double>> busiestThreads(Map<Long, Map.Entry<String, Long>> before,
                                                          Map<Long, Map.Entry<String, Long>> after, double seconds) {
        Map<String, Double> byName = new HashMap<>();
        after.forEach((tid, now) -> {
            Map.Entry<String, Long> then = before.get(tid);
            long ticks = now.getValue() - (then == null ? 0 : then.getValue());
            if (ticks > 0) byName.merge(now.getKey().replaceAll("(?<![A-Z])\\d+", "N"), 100.0 * ticks / clockTicks() / seconds, Double::sum);
        });
        List<Map.Entry<String, Double>> list = new ArrayList<>(byName.entrySet());
        list.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        return list;
    }

    static long processCpuTicks(long pid) {
        String s = read(Path.of("/proc", String.valueOf(pid), "stat"));
        return s == null ? -1 : cpuTicks(s);
    }

    static long processRss(long pid) {
        String s = read(Path.of("/proc", String.valueOf(pid), "status"));
        return s == null ? -1 : rssBytes(s);
    }

    static long[] hostCpu() {
        String s = read(Path.of("/proc/stat"));
        return s == null ? new long[] {0, 0} : hostCpu(s);
    }

    static String loadAverage() {
        String s = read(Path.of("/proc/loadavg"));
        if (s == null) return "?";
        String[] f = s.trim().split("\\s+");
        return f[0] + "/" + f[1] + "/" + f[2];
    }

    /** This JVM's CPU time (all threads, user + system), in nanoseconds. */
    static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static long openFilesLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Clock ticks per second (USER_HZ), from getconf; 100 on nearly every Linux. */
    static long clockTicks() {
        if (clockTicks == 0) {
            long hz = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) hz = Long.parseLong(out);
            } catch (IOException | NumberFormatException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = hz;
        }
        return clockTicks;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * CPU readings at one instant: the server processes (one per node), other watched processes in named groups
     * (Redis, HAProxy, PostgreSQL), this JVM and the whole host.
     *
     * @param ticks   CPU ticks by process id, for every process of {@code groups}
     * @param groups  {@value #SERVER} (the nodes, in node order) and any helper groups, as process ids
     */
    record Mark(long wallNanos, Map<Long, Long> ticks, Map<String, List<Long>> groups, long ownNanos, long hostBusy,
                long hostTotal, Map<Long, Map.Entry<String, Long>> serverThreads) {
        /** The group of the server processes. */
        static final String SERVER = "server";

        static Mark now(long serverPid) {
            return now(List.of(serverPid), Map.of());
        }

        /** Reads every server process and helper group now. */
        static Mark now(List<Long> serverPids, Map<String, List<Long>> helpers) {
            long[] host = hostCpu();
            Map<String, List<Long>> groups = new java.util.LinkedHashMap<>();
            groups.put(SERVER, List.copyOf(serverPids));
            helpers.forEach((k, v) -> groups.put(k, List.copyOf(v)));
            Map<Long, Long> ticks = new HashMap<>();
            Map<Long, Map.Entry<String, Long>> threads = new HashMap<>();
            for (List<Long> pids : groups.values()) {
                for (long pid : pids) {
                    long t = processCpuTicks(pid);
                    if (t >= 0) ticks.put(pid, t);
                }
            }
            for (long pid : serverPids) threads.putAll(threadTicks(pid)); // thread ids are unique across processes
            return new Mark(System.nanoTime(), ticks, groups, ownCpuNanos(), host[0], host[1], threads);
        }

        /** The server's busiest thread groups between the marks: {@code name:percent}, highest first. */
        Map<String, String> serverThreads(Mark later, int max) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Double> e : busiestThreads(serverThreads, later.serverThreads, seconds(later))) {
                if (out.size() == max || e.getValue() < 1) break;
                out.put(e.getKey().replaceAll("[^A-Za-z0-9_.-]", "_"), Report.num(e.getValue()));
            }
            return out;
        }

        double seconds(Mark later) {
            return (later.wallNanos - wallNanos) / 1e9;
        }

        /** Server CPU between the marks (all nodes together), in percent of one core. */
        double serverPct(Mark later) {
            return groupPct(later, SERVER);
        }

        /** One process's CPU between the marks, in percent of one core (NaN when it was not read at both). */
        double pidPct(Mark later, long pid) {
            Long a = ticks.get(pid);
            Long b = later.ticks.get(pid);
            if (a == null || b == null) return Double.NaN;
            return 100.0 * (b - a) / clockTicks() / seconds(later);
        }

        /**
         * A group's CPU between the marks, in percent of one core: the processes of the group at the later mark; one
         * that appeared in between counts from zero (it started then), one that ended in between is lost. NaN for an
         * unknown group.
         */
        double groupPct(Mark later, String group) {
            List<Long> pids = later.groups.get(group);
            if (pids == null || !groups.containsKey(group)) return Double.NaN;
            long sum = 0;
            for (long pid : pids) {
                Long b = later.ticks.get(pid);
                if (b != null) sum += b - ticks.getOrDefault(pid, 0L);
            }
            return 100.0 * sum / clockTicks() / seconds(later);
        }

        /** This JVM's CPU between the marks, in percent of one core. */
        double ownPct(Mark later) {
            return 100.0 * (later.ownNanos - ownNanos) / 1e9 / seconds(later);
        }

        /** The whole host's CPU between the marks, in percent of one core (so up to 100 × cores). */
        double hostPct(Mark later) {
            long total = later.hostTotal - hostTotal;
            if (total <= 0) return Double.NaN;
            return 100.0 * Runtime.getRuntime().availableProcessors() * (later.hostBusy - hostBusy) / total;
        }
    }
}
