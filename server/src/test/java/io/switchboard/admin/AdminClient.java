package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Calls the admin API over real HTTP as one bearer token (or none); answers keep status, headers and body. */
final class AdminClient {
    static final String PROBLEM = "application/problem+json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final TestServer server;
    private final String token;

    AdminClient(TestServer server, String token) {
        this.server = server;
        this.token = io.switchboard.testing.LeakGuard.register(token);
    }

    /** The built-in operator token named "admin", read from the server's data dir. */
    static AdminClient admin(TestServer server) {
        return new AdminClient(server, server.adminToken());
    }

    /** An HTTP answer of the admin API. */
    record Reply(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return WsClient.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("").split(";")[0].trim();
        }

        /** Asserts the status and returns the JSON body. */
        JsonNode expect(int expected) {
            assertEquals(expected, status, () -> "status; body: " + body);
            return body.isEmpty() ? WsClient.JSON.missingNode() : json();
        }

        /** Asserts an RFC 9457 problem document with this status and returns it. */
        JsonNode problem(int expected) {
            assertEquals(expected, status, () -> "status; body: " + body);
            assertEquals(PROBLEM, contentType(), () -> "content type of a " + expected + " answer: " + body);
            JsonNode p = json();
            assertEquals(expected, p.path("status").asInt(), body);
            assertTrue(p.path("type").asText().startsWith("urn:switchboard:problem:"), body);
            assertTrue(!p.path("title").asText().isEmpty(), body);
            return p;
        }
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply post(String path, JsonNode body) {
        return send("POST", path, body.toString());
    }

    Reply post(String path, String rawBody) {
        return send("POST", path, rawBody);
    }

    Reply post(String path) {
        return send("POST", path, null);
    }

    Reply delete(String path) {
        return send("DELETE", path, null);
    }

    Reply send(String method, String path, String rawBody) {
        return sendBytes(method, path, rawBody == null ? null : rawBody.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Sends these exact body bytes (which need not be UTF-8) as {@code application/json}. */
    Reply sendBytes(String method, String path, byte[] rawBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(20))
                .method(method, rawBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(rawBody));
        if (rawBody != null) b.header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            registerMintedToken(r.body());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client token minted through the API is a secret like any other (see LeakGuard). */
    private static void registerMintedToken(String body) {
        if (!body.contains("\"token\"")) return;
        try {
            io.switchboard.testing.LeakGuard.register(WsClient.JSON.readTree(body).path("token").textValue());
        } catch (JsonProcessingException e) {
            // not JSON: nothing minted
        }
    }

    /** Every item of a paged collection, following {@code nextCursor}; fails on a page larger than asked. */
    List<JsonNode> walk(String path, int limit) {
        List<JsonNode> out = new ArrayList<>();
        String sep = path.contains("?") ? "&" : "?";
        String cursor = null;
        for (int pages = 0; pages < 10_000; pages++) {
            JsonNode page = get(path + sep + "limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor)).expect(200);
            assertTrue(page.path("items").size() <= limit, page.toString());
            page.path("items").forEach(out::add);
            JsonNode next = page.path("nextCursor");
            if (next.isNull() || next.isMissingNode()) return out;
            cursor = next.asText();
        }
        throw new AssertionError("paging of " + path + " never ended");
    }

    /** A JSON object from alternating field names and values. */
    static ObjectNode json(Object... keyValues) {
        ObjectNode node = WsClient.JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) node.set((String) keyValues[i], WsClient.JSON.valueToTree(keyValues[i + 1]));
        return node;
    }
}
