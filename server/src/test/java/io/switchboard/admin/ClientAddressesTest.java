package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server listening on every IPv4 and IPv6 address records each client in one form: the audit log and the
 * connections API write IPv6 loopback as {@code ::1} (not {@code [0:0:0:0:0:0:0:1]} or {@code 0:0:0:0:0:0:0:1})
 * and IPv4 clients as dotted IPv4, whichever route recorded them.
 */
@Timeout(60)
class ClientAddressesTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("host", "::"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static JsonNode call(String host, String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + server.adminToken())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(true, r.statusCode() < 300, () -> method + " " + path + ": " + r.statusCode() + " " + r.body());
            return r.body().isEmpty() ? WsClient.JSON.missingNode() : WsClient.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The address of the newest audit entry whose target is this one. */
    private static String auditAddress(String target) {
        for (JsonNode e : call("127.0.0.1", "GET", "/api/v1/audit?limit=500", null).path("items")) {
            if (target.equals(e.path("target").asText())) return e.path("address").asText();
        }
        throw new AssertionError("no audit entry for " + target);
    }

    @Test
    void adminActionsOverIpv6AndIpv4AreAuditedWithOneFormEach() {
        call("[::1]", "POST", "/api/v1/rooms", "{\"room\":\"over-v6\"}");
        call("127.0.0.1", "POST", "/api/v1/rooms", "{\"room\":\"over-v4\"}");
        call("[::1]", "POST", "/api/v1/bans", "{\"user\":\"v6-ban\",\"duration\":\"1h\"}");
        call("[::1]", "DELETE", "/api/v1/bans/v6-ban", null);
        call("[::1]", "POST", "/api/v1/broadcast", "{\"text\":\"hello over v6\"}");

        assertEquals("::1", auditAddress("room over-v6"));
        assertEquals("127.0.0.1", auditAddress("room over-v4"));
        assertEquals("::1", auditAddress("user v6-ban"));
        assertEquals("::1", auditAddress("everyone"));
    }

    @Test
    void chatConnectionsOverIpv6AndIpv4ShowTheSameFormsInTheConnectionsApi() {
        WsClient v6 = WsClient.connected(URI.create("ws://[::1]:" + server.port() + "/ws?token=" + server.token("six")));
        WsClient v4 = WsClient.connected(server.ws(server.token("four")));
        try {
            Map<String, String> byUser = new java.util.HashMap<>();
            for (JsonNode c : call("[::1]", "GET", "/api/v1/connections", null).path("items")) {
                byUser.put(c.path("user").asText(), c.path("remoteAddress").asText());
            }
            assertEquals("::1", byUser.get("six"), byUser.toString());
            assertEquals("127.0.0.1", byUser.get("four"), byUser.toString());
        } finally {
            v6.close();
            v4.close();
        }
    }
}
