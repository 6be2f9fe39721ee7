package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.bench.ServerProcess.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario F's parsing and configuration: what it runs, how rooms are drawn, HAProxy, the admin API, the CLUSTER line. */
class ClusterTest {
    @Test
    void scenarioFIsBsShapeAtTwoRatesAgainstTheClusterOneNodeOnPostgresqlAndH2() {
        List<Scenario.Step> steps = Scenario.F.steps(Scenario.F.params(false, Map.of()));
        assertEquals(List.of("F@0.2/s", "F@1/s"), steps.stream().map(Scenario.Step::label).toList());
        assertEquals(1000, steps.get(1).conns());
        assertEquals(10, steps.get(1).rooms());
        assertEquals(List.of(Target.CLUSTER, Target.PG, Target.SWITCHBOARD), Scenario.F.defaultTargets());
        assertEquals(Scenario.F, Scenario.byName("cluster"));
    }

    @Test
    void fRunsOnlyWhenAskedForAndTargetsFollowTheScenarioUnlessGiven() {
        Bench.Options none = Bench.Options.parse(new String[0]);
        assertEquals(List.of(Scenario.A, Scenario.B, Scenario.C, Scenario.D, Scenario.E), none.scenarios);
        assertEquals(List.of(Scenario.values()), Bench.Options.parse(new String[] {"all"}).scenarios);

        Bench.Options o = Bench.Options.parse(new String[] {"F", "B", "--pg-fsync"});
        assertEquals(List.of(Target.CLUSTER, Target.PG, Target.SWITCHBOARD), o.targets(Scenario.F));
        assertEquals(List.of(Target.SWITCHBOARD, Target.BASELINE), o.targets(Scenario.B));
        assertTrue(o.pgFsync);

        Bench.Options given = Bench.Options.parse(new String[] {"F", "--targets=pg,cluster"});
        assertEquals(List.of(Target.PG, Target.CLUSTER), given.targets(Scenario.F));
        assertEquals(List.of(Target.PG, Target.CLUSTER), given.targets(Scenario.B));
        assertThrows(IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--targets=nodes"}));
    }

    @Test
    void theBaselineHasNoClusterCounterpart() {
        Scenario.Step f = Scenario.F.steps(Scenario.F.params(false, Map.of())).get(0);
        assertEquals("baseline_has_no_cluster_counterpart", Bench.skipReason(f, Target.BASELINE, 100_000, false, false));
        assertNull(Bench.skipReason(f, Target.CLUSTER, 100_000, false, false));
    }

    @Test
    void targetsKnowWhatTheyRun() {
        assertEquals(2, Target.CLUSTER.nodes());
        assertEquals(1, Target.PG.nodes());
        assertTrue(Target.PG.fleet() && Target.CLUSTER.fleet() && !Target.SWITCHBOARD.fleet() && !Target.BASELINE.fleet());
        assertTrue(Target.PG.switchboard() && !Target.BASELINE.switchboard());
        assertEquals(Target.CLUSTER, Target.byName(" Cluster "));
    }

    @Test
    void shuffledRoomsKeepTheirSizesAndMixWhatRoundRobinWouldSeparate() {
        int[] plain = Scenario.roomIndexes(1000, 10, false);
        assertEquals(3, plain[13]);
        int[] shuffled = Scenario.roomIndexes(1000, 10, true);
        assertTrue(Arrays.equals(shuffled, Scenario.roomIndexes(1000, 10, true)), "seeded: the same for every target");
        int[] sizes = new int[10];
        int[][] byParity = new int[10][2]; // what two nodes in strict turn would each get of every room
        for (int i = 0; i < shuffled.length; i++) {
            sizes[shuffled[i]]++;
            byParity[shuffled[i]][i % 2]++;
        }
        for (int r = 0; r < 10; r++) {
            assertEquals(100, sizes[r]);
            assertTrue(byParity[r][0] >= 25 && byParity[r][1] >= 25, "room " + r + " split " + Arrays.toString(byParity[r]));
        }
        for (int i = 0; i < plain.length; i += 2) assertEquals(0, plain[i] % 2, "i mod rooms would put a room on one node");
    }

    @Test
    void haproxyIsConfiguredLikeTheServersClusterTestsButToleratesASlowCheck() {
        Map<String, Integer> backends = new LinkedHashMap<>();
        backends.put("n1", 4001);
        backends.put("n2", 4002);
        String cfg = Haproxy.config(5000, 5001, backends);
        assertTrue(cfg.contains("bind 127.0.0.1:5000"), cfg);
        assertTrue(cfg.contains("balance roundrobin"), cfg);
        assertTrue(cfg.contains("timeout tunnel 1h"), cfg);
        assertTrue(cfg.contains("http-check send meth GET uri /ready"), cfg);
        assertTrue(cfg.contains("default-server inter 500ms fall 3 rise 2") && cfg.contains("timeout check 5s"), cfg);
        assertTrue(cfg.contains("  server n1 127.0.0.1:4001 check\n  server n2 127.0.0.1:4002 check\n"), cfg);
        assertTrue(cfg.contains("bind 127.0.0.1:5001"), cfg);
    }

    @Test
    void haproxyStatesAreReadFromItsStatsCsv() {
        String csv = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
                switchboard,FRONTEND,,,0,0,262120,0,0,0,0,0,0,,,,,OPEN,
                nodes,n1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1
                nodes,n2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1
                nodes,BACKEND,0,0,0,0,26212,0,0,0,0,0,,0,0,0,0,UP,2
                """;
        assertEquals(Map.of("n1", "UP", "n2", "DOWN 1/2"), Haproxy.states(csv, Set.of("n1", "n2")));
        assertEquals(Map.of(), Haproxy.states("", Set.of("n1")));
        assertEquals(Map.of(), Haproxy.states("# nothing,useful\n", Set.of("n1")));
    }

    @Test
    void aConnectionsPageGivesIdsAndTheNextCursor() throws IOException {
        Deployment.Page page = Deployment.parsePage("""
                {"total":3,"items":[{"id":"Cl85gd0WZUY8","node":"n1","user":"u1"},{"id":"QC1plGAJJbqm","node":"n1","user":"u2"}],
                 "nextCursor":"YzEK"}""");
        assertEquals(List.of("Cl85gd0WZUY8", "QC1plGAJJbqm"), page.ids());
        assertEquals("YzEK", page.next());
        assertNull(Deployment.parsePage("{\"total\":0,\"items\":[],\"nextCursor\":null}").next());
        assertThrows(IOException.class, () -> Deployment.parsePage("{\"type\":\"about:blank\",\"status\":400}"));
        assertThrows(IOException.class, () -> Deployment.parsePage("not json"));
    }

    @Test
    void nodesGetTheDatabaseRedisAndTheirOwnId() {
        assertEquals(Map.of("db.url", "jdbc:postgresql://127.0.0.1:5/d", "db.user", PostgresServer.USER, "node.id", "n2",
                "redis.url", "redis://127.0.0.1:6"), Deployment.nodeOptions("n2", "jdbc:postgresql://127.0.0.1:5/d", "redis://127.0.0.1:6"));
        assertNull(Deployment.nodeOptions("n1", "jdbc:postgresql://127.0.0.1:5/d", null).get("redis.url"));
    }

    @Test
    void databaseNamesAreFreshAndValid() {
        Services s = new Services(Path.of("."), false, "t");
        String a = s.nextDatabase("F@0.2/s", "cluster");
        String b = s.nextDatabase("F@0.2/s", "cluster");
        assertEquals("bench_1_f_0_2_s_cluster", a);
        assertTrue(!a.equals(b) && b.matches("[a-z][a-z0-9_]{0,62}"), b);
    }

    @Test
    void missingProgramsAreNamedWithWhatToInstall(@TempDir Path dir) throws IOException {
        IOException e = assertThrows(IOException.class,
                () -> Tools.find("redis-server", List.of(dir.resolve("nope")), dir.toString(), "Redis (apt-get install redis-server)"));
        assertTrue(e.getMessage().startsWith("redis-server not found") && e.getMessage().contains("apt-get install redis-server"), e.getMessage());

        Path onPath = Files.createDirectories(dir.resolve("bin")).resolve("redis-server");
        Files.writeString(onPath, "#!/bin/sh\n");
        Files.setPosixFilePermissions(onPath, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(onPath, Tools.find("redis-server", List.of(dir.resolve("nope")), "/nonexistent:" + dir.resolve("bin"), "x"));
    }

    @Test
    void theNewestPostgresqlWithServerBinariesIsChosen(@TempDir Path root) throws IOException {
        assertNull(Tools.postgresBin(root.resolve("none")));
        for (String v : List.of("9.6", "15", "16")) {
            Path bin = Files.createDirectories(root.resolve(v).resolve("bin"));
            if (v.equals("16")) continue; // a client-only install: no pg_ctl
            for (String tool : List.of("pg_ctl", "initdb")) {
                Path t = Files.writeString(bin.resolve(tool), "#!/bin/sh\n");
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        assertEquals(root.resolve("15").resolve("bin"), Tools.postgresBin(root));
    }

    @Test
    void commandsThatFailOrHangAreReportedWithinTheirTime() {
        IOException failed = assertThrows(IOException.class, () -> Tools.run(java.time.Duration.ofSeconds(10), List.of("sh", "-c", "echo why; exit 3")));
        assertTrue(failed.getMessage().contains("exit 3") && failed.getMessage().contains("why"), failed.getMessage());
        long start = System.nanoTime();
        assertThrows(IOException.class, () -> Tools.run(java.time.Duration.ofMillis(300), List.of("sleep", "30")));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }

    private static Result f(String target, Map<String, Object> values) {
        Result r = new Result().put("scenario", "F").put("step", "F@1/s").put("target", target).put("status", "ok");
        values.forEach(r::put);
        return r;
    }

    @Test
    void theClusterLineDerivesTheCostOfCrossingNodes() {
        Result cluster = f("cluster", Map.of("server_cpu_pct", 150.0, "redis_cpu_pct", 10.0, "cross_deliveries_per_s", 50_000.0,
                "cross_publications_per_s", 1000.0, "cross_fraction", "0.5000", "cpu_us_per_delivery", 15.0, "p99_ms", 40.0,
                "p50_ms", 6.0, "cross_p99_ms", 45.0, "local_p99_ms", 30.0));
        Result pg = f("pg", Map.of("server_cpu_pct", 100.0, "cpu_us_per_delivery", 10.0, "p99_ms", 25.0, "p50_ms", 5.0));
        Result h2 = f("switchboard", Map.of("cpu_us_per_delivery", 8.0, "p99_ms", 20.0));
        String line = Report.clusterLine(List.of(cluster, pg, h2));
        // 50% of a core more = 500,000 µs/s over 50,000 crossed deliveries/s = 10 µs each; with Redis 600,000 → 12.
        assertTrue(line.startsWith("CLUSTER scenario=F step=F@1/s both_passed=false cross_fraction=0.500 "), line);
        assertTrue(line.contains(" extra_cpu_us_per_cross_delivery=10 "), line);
        assertTrue(line.contains(" extra_cpu_us_per_cross_delivery_with_redis=12 "), line);
        assertTrue(line.contains(" extra_cpu_us_per_cross_publication=500 "), line);
        assertTrue(line.contains(" p99_delta_ms=15 "), line);
        assertTrue(line.contains(" cross_minus_local_p99_ms=15 "), line);
        assertTrue(line.endsWith(" cpu_us_per_delivery_h2=8 p99_ms_h2=20"), line);
        assertNull(Report.clusterLine(List.of(cluster, h2)));
        String passed = Report.clusterLine(List.of(cluster.put("pass", true), pg.put("pass", true)));
        assertTrue(passed.contains(" both_passed=true ") && !passed.contains("_h2="), passed);
        assertNull(Report.clusterLine(List.of(cluster, f("pg", Map.of("status", "error")))));
    }

    @Test
    void parentsAreReadFromProcStat() throws Exception {
        assertEquals(1234, ProcStats.parentPid("4242 (postgres: walwriter ) S 1234 4242 4242 0 -1 4194560 123 0 0 0 1500 250"));
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(ProcStats.children(ProcessHandle.current().pid()).contains(child.pid()));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
