package io.switchboard.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment files (deploy/) against a real server: every metric the Grafana dashboard and the alert rules name
 * is one the server exports, and every HTTP path the manifests probe or scrape answers as they expect. The shapes of
 * the files themselves are checked offline by deploy/kubernetes/check (run by .ci/run).
 */
@Timeout(60)
class DeployFilesTest {
    private static final String METRICS_TOKEN = "deploy-files-test-metrics-token-0123456789";
    /** Names in the files: ours and the JVM's (Prometheus' own "up" and kube-state-metrics are not the server's). */
    private static final Pattern NAME = Pattern.compile("\\b(?:switchboard|jvm)_[A-Za-z0-9_]+");
    /**
     * Gauges a node exports only in cluster mode (redis.url set), which a single test server cannot show: the Redis
     * connection's state.
     */
    private static final Set<String> CLUSTER_ONLY = Set.of("switchboard_redis_up");

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("metrics.token", METRICS_TOKEN));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String read(String path) throws IOException {
        return Files.readString(Path.of("..").resolve(path));
    }

    private static Set<String> exported() {
        HttpResponse<String> r = server.get("/metrics", "Authorization", "Bearer " + METRICS_TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        Set<String> names = new TreeSet<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            names.add(line.split("[{ ]", 2)[0]);
        }
        return names;
    }

    /** Metric names a file uses; a name written as a prefix of a regular expression (switchboard_errors_.+) is skipped. */
    private static List<String> namesIn(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            if (m.group().endsWith("_")) continue; // a prefix: switchboard_errors_.+_total, switchboard_errors_<code>_total
            out.add(m.group());
        }
        return out;
    }

    private static boolean isErrorCounter(String name) {
        return Arrays.stream(ErrorCode.values()).anyMatch(c -> name.equals("switchboard_errors_" + c.wire() + "_total"));
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsNameIsExported() throws IOException {
        Set<String> exported = exported();
        assertTrue(exported.contains("switchboard_connections"), exported.toString());
        for (String file : List.of("deploy/grafana/switchboard-dashboard.json", "deploy/prometheus/alerts.yaml")) {
            List<String> used = namesIn(read(file));
            assertFalse(used.isEmpty(), file + " names no metric");
            List<String> unknown = used.stream()
                    .filter(n -> !exported.contains(n) && !isErrorCounter(n) && !CLUSTER_ONLY.contains(n))
                    .distinct().collect(Collectors.toList());
            assertEquals(List.of(), unknown, file + " names metrics the server does not export; it exports " + exported);
        }
    }

    @Test
    void theProbedAndScrapedPathsAnswerAsTheManifestsExpect() throws IOException {
        String deployment = read("deploy/kubernetes/base/deployment.yaml");
        Matcher probes = Pattern.compile("path: (/\\S*)").matcher(deployment);
        Set<String> paths = new TreeSet<>();
        while (probes.find()) paths.add(probes.group(1));
        assertEquals(Set.of("/health", "/ready"), paths, "probe paths in deployment.yaml");
        for (String path : paths) {
            HttpResponse<String> r = server.get(path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
        }

        Matcher scrape = Pattern.compile("path: (/\\S*)").matcher(read("deploy/kubernetes/base/servicemonitor.yaml"));
        assertTrue(scrape.find(), "servicemonitor.yaml has a path");
        assertEquals(401, server.get(scrape.group(1)).statusCode(), "without the bearer token the scrape is refused");
        HttpResponse<String> withToken = server.get(scrape.group(1), "Authorization", "Bearer " + METRICS_TOKEN);
        assertEquals(200, withToken.statusCode());
        assertTrue(withToken.body().contains("switchboard_connections"), withToken.body());
    }
}
