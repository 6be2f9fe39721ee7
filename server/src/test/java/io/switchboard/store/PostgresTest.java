package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same migrations and chat semantics on a real PostgreSQL, the database for installations that outgrow H2. */
@Timeout(120)
class PostgresTest {
    static Postgres pg;

    @BeforeAll
    static void start() {
        pg = Postgres.start();
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
    }

    private static Map<String, String> settings() {
        return Map.of("db.url", pg.jdbcUrl(), "db.user", Postgres.USER);
    }

    @Test
    void migrationsRunAndChatWorksAcrossARestart() throws Exception {
        TestServer server = TestServer.start(Files.createTempDirectory("switchboard-pg-data"), settings());
        try {
            assertEquals("PostgreSQL", server.server().database().kind());
            assertEquals(200, server.get("/ready").statusCode());
            try (WsClient alice = WsClient.connected(server.ws(server.token("alice")));
                 WsClient bob = WsClient.connected(server.ws(server.token("bob")))) {
                for (WsClient c : new WsClient[] {alice, bob}) {
                    c.send("type", "join", "room", "pg", "id", "j");
                    c.await("joined");
                    c.send("type", "join", "room", "pg", "id", "again"); // membership upsert (MERGE) a second time
                    c.await("joined");
                }
                alice.send("type", "send", "room", "pg", "id", "m1", "text", "on postgres");
                assertEquals(1, alice.await("ack").get("seq").asLong());
                assertEquals("on postgres", bob.await("message").get("text").asText());
                alice.send("type", "send", "room", "pg", "id", "m1", "text", "on postgres");
                assertTrue(alice.await("ack").get("duplicate").asBoolean());
                alice.send("type", "dm", "to", "carol", "id", "m1", "text", "on postgres");
                assertEquals("id_conflict", alice.await("error").get("code").asText(), "one id, one meaning");
                alice.send("type", "dm", "to", "carol", "id", "d1", "text", "stored for later");
                assertEquals(1, alice.await("ack").get("seq").asLong(), "the first entry of alice's DM stream");
            }
            HttpResponse<String> ban = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.http("/api/v1/bans"))
                    .header("Authorization", "Bearer " + server.adminToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"mallory\",\"duration\":\"1h\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, ban.statusCode());

            server = server.restart();
            assertEquals(0, server.server().database().migrationsApplied());
            try (WsClient carol = WsClient.connected(java.net.URI.create(server.ws(server.token("carol")) + "&dmSince=0"));
                 WsClient alice = WsClient.connected(server.ws(server.token("alice")))) {
                JsonNode dm = carol.await("dm");
                assertEquals("stored for later", dm.get("text").asText());
                assertEquals(1, dm.get("seq").asLong());
                carol.send("type", "dm_history", "id", "dh");
                assertEquals(1, carol.await("dm_history").get("messages").size());
                alice.send("type", "join", "room", "pg", "id", "j", "since", 0);
                JsonNode joined = alice.await("joined");
                assertEquals(1, joined.get("seq").asLong());
                assertEquals("on postgres", alice.await("message").get("text").asText());
                alice.send("type", "send", "room", "pg", "id", "m2", "text", "after restart");
                assertEquals(2, alice.await("ack").get("seq").asLong());
                alice.send("type", "history", "room", "pg", "id", "h");
                assertEquals(2, alice.await("history").get("messages").size());
            }
            try (WsClient mallory = WsClient.connect(server.ws(server.token("mallory")))) {
                assertEquals(4003, mallory.awaitClose().code(), "the ban survived the restart");
            }
            HttpResponse<String> audit = server.get("/api/v1/audit", "Authorization", "Bearer " + server.adminToken());
            assertTrue(audit.body().contains("\"action\":\"ban\""), audit.body());
        } finally {
            server.close();
        }
    }
}
