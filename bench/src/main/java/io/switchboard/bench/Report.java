package io.switchboard.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The human side of the report: a table per step (targets side by side, with ratios) and a summary. */
final class Report {
    private Report() {}

    /** A compact number: integers plain, then fewer decimals as the value grows; NaN as "-". */
    static String num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "-";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf((long) d);
        double a = Math.abs(d);
        if (a >= 100) return String.valueOf(Math.round(d));
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", d);
        if (a >= 1) return String.format(Locale.ROOT, "%.2f", d);
        return String.format(Locale.ROOT, "%.3g", d);
    }

    static String ratio4(double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.4f", d);
    }

    /** A metric row: how to show it for one result, and whether a switchboard/baseline ratio makes sense. */
    private record Row(String label, Function<Result, String> cell, String ratioKey) {}

    private static String pair(Result r, String a, String b) {
        return v(r, a) + " / " + v(r, b);
    }

    private static String v(Result r, String key) {
        String s = r.get(key);
        return s == null ? "-" : s;
    }

    private static final List<Row> ROWS = List.of(
            new Row("status", r -> r.ok() ? "ok" : v(r, "status") + " " + v(r, "reason"), null),
            new Row("connections ok / failed", r -> pair(r, "established", "failed")
                    + (r.has("connect_failures") ? " (" + v(r, "connect_failures") + ")" : ""), null),
            new Row("permessage-deflate offered / accepted", r -> pair(r, "deflate_offered", "deflate_accepted"), null),
            new Row("connect time s / rate per s", r -> pair(r, "connect_s", "connect_per_s"), "connect_per_s"),
            new Row("connect latency p50 / p99 ms", r -> pair(r, "connect_p50_ms", "connect_p99_ms"), "connect_p99_ms"),
            new Row("connect phase CPU % server / gen", r -> pair(r, "connect_server_cpu_pct", "connect_gen_cpu_pct"), null),
            new Row("connect phase busiest threads %", r -> v(r, "connect_server_threads"), null),
            new Row("storm: resume mode", r -> r.has("resume_mode") ? ("since".equals(r.get("resume_mode"))
                    ? "join with since" : v(r, "resume_mode") + " (no resume)") : "-", null),
            new Row("storm: resumed (failed)", r -> v(r, "resumed")
                    + (r.has("resume_failures") ? " (" + v(r, "resume_failures") + ")" : ""), null),
            new Row("storm: resume time s / rate per s", r -> pair(r, "resume_s", "resume_per_s"), "resume_per_s"),
            new Row("storm: dropping every connection took ms", r -> v(r, "resume_drop_ms"), null),
            new Row("storm: resume latency p50 / p99 ms", r -> pair(r, "resume_p50_ms", "resume_p99_ms"), "resume_p99_ms"),
            new Row("storm: replayed / gaps / duplicates", r -> v(r, "replayed") + " / " + pair(r, "resume_gaps", "resume_duplicates"), null),
            new Row("storm: messages stored / not", r -> pair(r, "storm_sent", "storm_send_failures"), null),
            new Row("storm: CPU % server / gen", r -> pair(r, "resume_server_cpu_pct", "resume_gen_cpu_pct"), null),
            new Row("sent (per s)", r -> v(r, "sent") + " (" + v(r, "sent_per_s") + ")", null),
            new Row("delivered / expected", r -> pair(r, "delivered", "expected"), null),
            new Row("delivery ratio", r -> v(r, "delivery_ratio") + (r.has("pass") ? (r.get("pass").equals("true") ? " pass" : " FAIL") : ""), null),
            new Row("deliveries per s", r -> v(r, "deliveries_per_s"), "deliveries_per_s"),
            new Row("latency p50 / p90 ms", r -> pair(r, "p50_ms", "p90_ms"), "p50_ms"),
            new Row("latency p99 / max ms", r -> pair(r, "p99_ms", "max_ms"), "p99_ms"),
            new Row("ack latency p50 / p99 ms", r -> pair(r, "ack_p50_ms", "ack_p99_ms"), null),
            new Row("connections per node", r -> v(r, "nodes"), null),
            new Row("crossed nodes: deliveries / share", r -> pair(r, "cross_delivered", "cross_fraction"), null),
            new Row("crossed nodes: deliveries / publications per s", r -> pair(r, "cross_deliveries_per_s", "cross_publications_per_s"), null),
            new Row("local latency p50 / p99 ms", r -> pair(r, "local_p50_ms", "local_p99_ms"), null),
            new Row("crossed latency p50 / p99 ms", r -> pair(r, "cross_p50_ms", "cross_p99_ms"), null),
            new Row("server CPU % of one core", r -> v(r, "server_cpu_pct"), "server_cpu_pct"),
            new Row("server CPU % per node", r -> v(r, "node_cpu_pct"), null),
            new Row("server CPU us per delivery", r -> v(r, "cpu_us_per_delivery"), null),
            new Row("CPU % redis / haproxy / postgres", r -> v(r, "redis_cpu_pct") + " / " + v(r, "haproxy_cpu_pct") + " / " + v(r, "postgres_cpu_pct"), null),
            new Row("broker received / gaps filled", r -> pair(r, "broker_received", "gaps_filled"), null),
            new Row("busiest server threads %", r -> v(r, "server_threads"), null),
            new Row("server RSS before / after MB", r -> pair(r, "rss_before_mb", "rss_after_mb"), "rss_after_mb"),
            new Row("heap before / after MB", r -> pair(r, "heap_before_mb", "heap_after_mb"), "heap_after_mb"),
            new Row("per idle conn KB heap / RSS", r -> pair(r, "heap_per_conn_kb", "rss_per_conn_kb"), "heap_per_conn_kb"),
            new Row("after the hold KB heap / RSS", r -> pair(r, "heap_held_per_conn_kb", "rss_held_per_conn_kb"), "rss_held_per_conn_kb"),
            new Row("slow consumers dropped", r -> v(r, "slow_consumers"), null),
            new Row("errors server / client", r -> pair(r, "server_errors", "client_errors"), null),
            new Row("closes during run", r -> v(r, "closes"), null),
            new Row("open at end", r -> v(r, "open_at_end"), null),
            new Row("server log WARN+ERROR", r -> v(r, "server_warnings"), null),
            new Row("generator CPU % of one core", r -> v(r, "gen_cpu_pct"), null),
            new Row("host CPU % / other load %", r -> pair(r, "host_cpu_pct", "other_cpu_pct"), null),
            new Row("skipped sends / pacer lag ms", r -> pair(r, "skipped_sends", "pacer_lag_max_ms"), null));

    /** The table for one step: a column per target, and switchboard/baseline where both are present. */
    static void step(PrintStream out, Scenario.Step step, List<Result> all) {
        out.println();
        out.println("== " + step.describe());
        List<Result> results = new ArrayList<>();
        for (Result r : all) {
            if ("skipped".equals(r.get("status"))) out.println("(" + r.target() + " skipped: " + v(r, "reason") + ")");
            else results.add(r);
        }
        if (results.isEmpty()) return;
        List<String> header = new ArrayList<>();
        header.add("metric");
        for (Result r : results) header.add(r.target());
        Result sb = find(results, "switchboard");
        Result base = find(results, "baseline");
        boolean ratios = sb != null && base != null && sb.ok() && base.ok();
        if (ratios) header.add("sb/base");
        List<List<String>> rows = new ArrayList<>();
        for (Row row : ROWS) {
            List<String> cells = new ArrayList<>();
            cells.add(row.label());
            boolean any = false;
            for (Result r : results) {
                String c = row.cell().apply(r);
                cells.add(c);
                any |= !c.replace("-", "").replace("/", "").replace("()", "").isBlank();
            }
            if (!any) continue;
            if (ratios) cells.add(row.ratioKey() == null ? "" : num(ratio(sb, base, row.ratioKey())));
            rows.add(cells);
        }
        printTable(out, header, rows);
    }

    static Result find(List<Result> results, String target) {
        for (Result r : results) if (target.equals(r.target())) return r;
        return null;
    }

    static double ratio(Result a, Result b, String key) {
        double x = a.num(key);
        double y = b.num(key);
        return y == 0 || Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x / y;
    }

    /** {@code RATIO ...}: switchboard divided by baseline for one step, or null unless both ran. */
    static String ratioLine(List<Result> results) {
        Result sb = find(results, "switchboard");
        Result base = find(results, "baseline");
        if (sb == null || base == null || !sb.ok() || !base.ok()) return null;
        StringBuilder b = new StringBuilder("RATIO scenario=" + sb.scenario() + " step=" + sb.step());
        for (String k : List.of("connect_per_s", "resume_per_s", "deliveries_per_s", "p50_ms", "p99_ms", "server_cpu_pct",
                "heap_per_conn_kb", "rss_per_conn_kb", "rss_held_per_conn_kb")) {
            if (sb.has(k) && base.has(k)) b.append(' ').append(k).append('=').append(num(ratio(sb, base, k)));
        }
        return b.toString();
    }

    /**
     * {@code CLUSTER ...}: what crossing nodes costs, from one step's {@code cluster} and {@code pg} results (same
     * load, same PostgreSQL, one node without Redis), or null unless both ran. Extra CPU is the two nodes' CPU minus
     * the one node's, in µs per second (1% of a core = 10,000 µs/s), divided by the cluster's deliveries that crossed
     * nodes per second, or by its publications that crossed (a message reaching another node once, whatever the
     * number of members there); {@code _with_redis} adds Redis's own CPU. Latency differences are in ms: p99 of the
     * cluster minus the one node, and within the cluster crossed minus local. With an {@code switchboard} (H2)
     * result, its p99 and CPU per delivery are added for reference. {@code both_passed} says whether both steps met
     * the pass criteria; when not, the figures describe an overloaded host, not the cost of crossing.
     */
    static String clusterLine(List<Result> results) {
        Result cluster = find(results, "cluster");
        Result one = find(results, "pg");
        if (cluster == null || one == null || !cluster.ok() || !one.ok()) return null;
        double extraUsPerS = (cluster.num("server_cpu_pct") - one.num("server_cpu_pct")) * 10_000;
        double redisUsPerS = cluster.num("redis_cpu_pct") * 10_000;
        double crossPerS = cluster.num("cross_deliveries_per_s");
        double hopsPerS = cluster.num("cross_publications_per_s");
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cross_fraction", cluster.num("cross_fraction"));
        m.put("cpu_us_per_delivery_cluster", cluster.num("cpu_us_per_delivery"));
        m.put("cpu_us_per_delivery_pg", one.num("cpu_us_per_delivery"));
        m.put("extra_cpu_us_per_cross_delivery", div(extraUsPerS, crossPerS));
        m.put("extra_cpu_us_per_cross_delivery_with_redis", div(extraUsPerS + redisUsPerS, crossPerS));
        m.put("extra_cpu_us_per_cross_publication", div(extraUsPerS, hopsPerS));
        m.put("extra_cpu_us_per_cross_publication_with_redis", div(extraUsPerS + redisUsPerS, hopsPerS));
        m.put("p99_delta_ms", cluster.num("p99_ms") - one.num("p99_ms"));
        m.put("p50_delta_ms", cluster.num("p50_ms") - one.num("p50_ms"));
        m.put("cross_minus_local_p99_ms", cluster.num("cross_p99_ms") - cluster.num("local_p99_ms"));
        m.put("cross_minus_local_p50_ms", cluster.num("cross_p50_ms") - cluster.num("local_p50_ms"));
        Result h2 = find(results, "switchboard");
        if (h2 != null && h2.ok()) {
            m.put("cpu_us_per_delivery_h2", h2.num("cpu_us_per_delivery"));
            m.put("p99_ms_h2", h2.num("p99_ms"));
        }
        // Figures of a step that did not pass (overload: late deliveries count as lost) compare apples with pears.
        boolean passed = "true".equals(cluster.get("pass")) && "true".equals(one.get("pass"));
        StringBuilder b = new StringBuilder("CLUSTER scenario=" + cluster.scenario() + " step=" + cluster.step() + " both_passed=" + passed);
        m.forEach((k, x) -> b.append(' ').append(k).append('=').append(num(x)));
        return b.toString();
    }

    private static double div(double a, double b) {
        return b > 0 && !Double.isNaN(a) ? a / b : Double.NaN;
    }

    /** {@code SWEEP ...}: the highest rate of a sweep that passed, per target. */
    static List<String> sweepLines(List<Result> results) {
        Map<String, Result> best = new LinkedHashMap<>();
        Map<String, Integer> runs = new LinkedHashMap<>();
        for (Result r : results) {
            if (!"C".equals(r.scenario())) continue;
            runs.merge(r.target(), 1, Integer::sum);
            if (r.ok() && "true".equals(r.get("pass"))) {
                Result prev = best.get(r.target());
                if (prev == null || r.num("rate") > prev.num("rate")) best.put(r.target(), r);
            } else {
                best.putIfAbsent(r.target(), null);
            }
        }
        List<String> out = new ArrayList<>();
        best.forEach((target, r) -> out.add("SWEEP target=" + target + " steps=" + runs.get(target)
                + (r == null ? " max_rate=- (no rate passed)" : " max_rate=" + r.get("rate") + " deliveries_per_s="
                + r.get("deliveries_per_s") + " p99_ms=" + r.get("p99_ms"))));
        return out;
    }

    /** One row per result with the headline numbers. */
    static void summary(PrintStream out, List<Result> results) {
        List<String> header = List.of("step", "target", "status", "conns ok/fail", "conn/s", "resume s", "deliv/s", "ratio",
                "p50 ms", "p99 ms", "max ms", "srv CPU%", "RSS MB", "KB/conn", "slow", "gen CPU%");
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(List.of(v(r, "step"), v(r, "target"), v(r, "status"), v(r, "established") + "/" + v(r, "failed"),
                    v(r, "connect_per_s"), resumeCell(r), v(r, "deliveries_per_s"), v(r, "delivery_ratio"), v(r, "p50_ms"), v(r, "p99_ms"),
                    v(r, "max_ms"), v(r, "server_cpu_pct"), v(r, "rss_after_mb"), v(r, "heap_per_conn_kb"),
                    v(r, "slow_consumers"), v(r, "gen_cpu_pct")));
        }
        printTable(out, header, rows);
        if (results.stream().anyMatch(r -> r.has("resume_s"))) {
            out.println("resume s: from the first dropped connection to the last client resumed (joined, missed messages"
                    + " replayed); * a plain reconnect and join (no resume)");
        }
    }

    /**
     * The summary's storm cell: seconds from the first drop to the last client resumed, with the count when not every
     * client resumed ({@code 3.2 (9990/10000)}), {@code *} for a plain reconnect (the baseline), {@code -} without a storm.
     */
    static String resumeCell(Result r) {
        if (!r.has("resume_s")) return "-";
        String s = v(r, "resume_s");
        if ("reconnect".equals(r.get("resume_mode"))) s += "*";
        if (r.num("resumed") != r.num("established")) s += " (" + v(r, "resumed") + "/" + v(r, "established") + ")";
        return s;
    }

    static void printTable(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() && i < w.length; i++) w[i] = Math.max(w[i], row.get(i).length());
        }
        out.println(format(header, w));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        out.println(rule);
        for (List<String> row : rows) out.println(format(row, w));
    }

    private static String format(List<String> cells, int[] w) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) b.append("  ");
            String c = cells.get(i);
            b.append(c);
            if (i < cells.size() - 1) b.append(" ".repeat(Math.max(0, w[i] - c.length())));
        }
        return b.toString().stripTrailing();
    }
}
