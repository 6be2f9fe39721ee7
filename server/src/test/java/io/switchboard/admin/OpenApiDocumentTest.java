package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenAPI document served at {@code GET /api/openapi.json} describes exactly the admin routes the server
 * registers, so that a route added without documentation (or documentation left behind by a removed route) fails
 * the build.
 */
@Timeout(60)
class OpenApiDocumentTest {
    /** Documented although not registered through {@link Api}: the Prometheus scrape, outside /api. */
    private static final String PROMETHEUS = "GET /metrics";
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");

    static TestServer server;
    static JsonNode document;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        HttpResponse<String> r = server.get("/api/openapi.json", "Authorization", "Bearer " + server.adminToken());
        assertEquals(200, r.statusCode(), r.body());
        document = WsClient.JSON.readTree(r.body());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** Every operation in the document, keyed "METHOD /path". */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new TreeMap<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (HTTP_METHODS.contains(op.getKey())) ops.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
            }
        }
        return ops;
    }

    /** Follows a local {@code $ref} (one level), so that shared responses and parameters count as present. */
    private static JsonNode deref(JsonNode node) {
        String ref = node.path("$ref").asText(null);
        if (ref == null) return node;
        assertTrue(ref.startsWith("#/"), "only local references: " + ref);
        return document.at(ref.substring(1));
    }

    @Test
    void theDocumentIsServedAsOpenApi3Json() {
        assertTrue(document.path("openapi").asText().startsWith("3."), "openapi: " + document.path("openapi"));
        assertTrue(document.path("info").hasNonNull("title"));
        assertTrue(document.path("paths").isObject() && document.path("paths").size() > 0);
    }

    @Test
    void theDocumentDescribesExactlyTheRegisteredRoutesPlusTheMetricsScrape() {
        Set<String> registered = new TreeSet<>(server.server().apiRoutes());
        assertTrue(registered.contains("GET /api/openapi.json"), "the document's own route is registered: " + registered);
        Set<String> expected = new TreeSet<>(registered);
        expected.add(PROMETHEUS);
        Set<String> documented = new TreeSet<>(operations().keySet());

        Set<String> undocumented = new TreeSet<>(expected);
        undocumented.removeAll(documented);
        Set<String> unregistered = new TreeSet<>(documented);
        unregistered.removeAll(expected);
        assertTrue(undocumented.isEmpty() && unregistered.isEmpty(),
                "registered but not documented: " + undocumented + "; documented but not registered: " + unregistered);
    }

    @Test
    void everyOperationDocumentsA401AndEveryChangeA403() {
        List<String> missing = new ArrayList<>();
        operations().forEach((key, op) -> {
            JsonNode responses = op.path("responses");
            if (!responses.has("401")) missing.add(key + " has no 401");
            if (!key.startsWith("GET ") && !responses.has("403")) missing.add(key + " has no 403");
        });
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryReferenceResolves() {
        List<String> problems = new ArrayList<>();
        operations().forEach((key, op) -> {
            Set<String> declared = new TreeSet<>();
            for (JsonNode p : op.path("parameters")) {
                JsonNode param = deref(p);
                if (param.isMissingNode()) problems.add(key + ": unresolved " + p.path("$ref").asText());
                else if ("path".equals(param.path("in").asText())) declared.add(param.path("name").asText());
            }
            Set<String> inPath = new TreeSet<>();
            Matcher m = PATH_PARAM.matcher(key);
            while (m.find()) inPath.add(m.group(1));
            if (!inPath.equals(declared)) problems.add(key + ": path parameters " + inPath + " but declared " + declared);
            for (Map.Entry<String, JsonNode> r : op.path("responses").properties()) {
                if (deref(r.getValue()).isMissingNode()) problems.add(key + " " + r.getKey() + ": unresolved " + r.getValue().path("$ref").asText());
            }
        });
        collectRefs(document, problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void collectRefs(JsonNode node, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.asText().startsWith("#/") || document.at(ref.asText().substring(1)).isMissingNode())) {
                problems.add("unresolved reference " + ref.asText());
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) collectRefs(child, problems);
        }
    }

    @Test
    void withoutATokenTheDocumentIsRefusedWith401() throws Exception {
        HttpResponse<String> r = server.get("/api/openapi.json");
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("urn:switchboard:problem:unauthorized", WsClient.JSON.readTree(r.body()).path("type").asText());
    }
}
