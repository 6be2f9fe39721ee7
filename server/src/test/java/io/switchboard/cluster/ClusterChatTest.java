package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testing.Await;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three real nodes (in this JVM, each with its own Jetty, pool and Redis connections) on one real PostgreSQL and
 * one real Redis: what clients and operators see of the cluster. Faults that need a process killed are in
 * {@code ClusterFaultsTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterChatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(15);

    private Postgres postgres;
    private RedisServer redis;
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeAll
    void cluster() {
        postgres = Postgres.start();
        redis = RedisServer.start();
        for (int i = 1; i <= 3; i++) {
            Map<String, String> c = new HashMap<>();
            c.put("db.url", postgres.jdbcUrl());
            c.put("db.user", Postgres.USER);
            c.put("redis.url", redis.url());
            c.put("node.id", "n" + i);
            c.put("jwt.secret", "cluster-test-secret-cluster-test-secret");
            c.put("admin.token", "cluster-test-admin-token-0123456789");
            c.put("limits.connections.per.user", "3");
            c.put("presence.ttl", "3s");
            nodes.add(TestServer.start(c));
        }
        Await.until("every node hears the other two", WAIT, () -> nodes.stream().allMatch(n -> nodeCount(n) == 3));
    }

    @AfterAll
    void stop() {
        nodes.forEach(TestServer::close);
        if (redis != null) redis.close();
        if (postgres != null) postgres.close();
    }

    private TestServer node(int i) {
        return nodes.get(i - 1);
    }

    private WsClient connect(int node, String user) {
        return WsClient.connected(node(node).ws(node(node).token(user)));
    }

    private static List<Long> oneTo(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private int nodeCount(TestServer n) {
        HttpResponse<String> r = n.get("/api/v1/nodes", "Authorization", "Bearer " + n.adminToken());
        if (r.statusCode() != 200) return -1;
        try {
            return JSON.readTree(r.body()).path("items").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> call(TestServer n, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(n.http(path)).header("Authorization", "Bearer " + n.adminToken())
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path, e);
        }
    }

    private static List<JsonNode> messages(WsClient c, String room, int n) {
        List<JsonNode> out = new ArrayList<>();
        while (out.size() < n) {
            out.add(c.await(f -> "message".equals(f.path("type").asText()) && room.equals(f.path("room").asText()),
                    "message " + (out.size() + 1) + " of " + n + " in " + room));
        }
        return out;
    }

    @Test
    void membersOnThreeNodesSeeOneGapFreeOrder() {
        String room = "order-" + System.nanoTime();
        List<WsClient> members = List.of(connect(1, "ann"), connect(2, "bob"), connect(3, "cyd"));
        members.forEach(m -> m.join(room));
        for (int i = 0; i < 10; i++) {
            for (int k = 0; k < 3; k++) members.get(k).send("type", "send", "room", room, "id", "o" + k + "-" + i, "text", "m" + k + "-" + i);
        }
        List<List<String>> seen = new ArrayList<>();
        for (WsClient m : members) {
            List<JsonNode> got = messages(m, room, 30);
            assertEquals(oneTo(1, 30), got.stream().map(f -> f.path("seq").asLong()).toList());
            seen.add(got.stream().map(f -> f.path("seq").asLong() + ":" + f.path("text").asText()).toList());
        }
        assertEquals(seen.get(0), seen.get(1));
        assertEquals(seen.get(0), seen.get(2));
        members.forEach(WsClient::close);
    }

    @Test
    void aUsersDevicesOnTwoNodesGetEveryDirectMessageLiveAndOnResume() {
        WsClient phone = connect(1, "dana");
        WsClient laptop = connect(2, "dana");
        WsClient eve = connect(3, "eve");
        for (int i = 1; i <= 3; i++) eve.send("type", "dm", "id", "d" + i, "to", "dana", "text", "hi " + i);
        for (WsClient device : List.of(phone, laptop)) {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                JsonNode dm = device.await(f -> "dm".equals(f.path("type").asText()) && f.path("text").asText().equals("hi " + n), "dm " + n);
                assertEquals(n, dm.path("seq").asLong());
            }
        }
        laptop.close();
        for (int i = 4; i <= 5; i++) eve.send("type", "dm", "id", "d" + i, "to", "dana", "text", "hi " + i);
        phone.await(f -> "dm".equals(f.path("type").asText()) && f.path("seq").asLong() == 5, "dm 5 live");
        // The laptop comes back through another node and resumes after what it saw.
        WsClient back = WsClient.connected(URI.create(node(3).ws(node(3).token("dana")) + "&dmSince=3"));
        List<Long> resumed = new ArrayList<>();
        while (resumed.size() < 2) resumed.add(back.await("dm").path("seq").asLong());
        assertEquals(List.of(4L, 5L), resumed);
        back.roundTrip();
        assertTrue(back.drain(Duration.ZERO).stream().noneMatch(f -> "dm".equals(f.path("type").asText())), "nothing twice");
        List.of(phone, eve, back).forEach(WsClient::close);
    }

    @Test
    void presenceIsAnnouncedOncePerUserAcrossNodes() {
        String room = "presence-" + System.nanoTime();
        WsClient watcher = connect(1, "wes");
        watcher.join(room);
        WsClient first = connect(2, "fay");
        WsClient second = connect(3, "fay");
        first.join(room);
        watcher.await(f -> "presence".equals(f.path("type").asText()) && "fay".equals(f.path("user").asText())
                && "join".equals(f.path("event").asText()), "fay joins");
        second.join(room);
        first.close();
        second.close();
        watcher.await(f -> "presence".equals(f.path("type").asText()) && "fay".equals(f.path("user").asText())
                && "leave".equals(f.path("event").asText()), "fay leaves");
        WsClient gus = connect(2, "gus");
        gus.join(room);
        watcher.await(f -> "presence".equals(f.path("type").asText()) && "gus".equals(f.path("user").asText()), "gus joins");
        // Everything fay caused was published before gus joined and arrives before gus's join (one room channel,
        // in order): the join and leave awaited above must be all there is.
        List<JsonNode> more = watcher.drain(Duration.ZERO).stream()
                .filter(f -> "presence".equals(f.path("type").asText()) && "fay".equals(f.path("user").asText())).toList();
        assertEquals(List.of(), more, "fay is announced once online and once offline, though on two nodes");
        gus.close();
        watcher.close();
    }

    @Test
    void aKickOrBanSentToOneNodeReachesAConnectionOnAnother() {
        WsClient target = WsClient.connect(node(3).ws(node(3).token("kim")));
        String id = target.await("welcome").path("connectionId").asText();
        HttpResponse<String> kick = call(node(1), "DELETE", "/api/v1/connections/" + id, null);
        assertEquals(200, kick.statusCode(), kick.body());
        assertEquals(4004, target.awaitClose(Duration.ofSeconds(2)).code());

        WsClient banned = connect(2, "lou");
        HttpResponse<String> ban = call(node(1), "POST", "/api/v1/bans", "{\"user\":\"lou\",\"reason\":\"spam\"}");
        assertEquals(201, ban.statusCode(), ban.body());
        assertEquals(4003, banned.awaitClose(Duration.ofSeconds(2)).code());
        WsClient again = WsClient.connect(node(3).ws(node(3).token("lou")));
        assertEquals(4003, again.awaitClose().code(), "refused on every node");
        assertEquals(204, call(node(2), "DELETE", "/api/v1/bans/lou", null).statusCode());
        Await.until("lou may connect to node 3 again", WAIT, () -> {
            WsClient c = WsClient.connect(node(3).ws(node(3).token("lou")));
            try {
                c.await("welcome");
                return true;
            } catch (AssertionError e) {
                return false;
            } finally {
                c.close();
            }
        });
    }

    @Test
    void aBroadcastToEveryoneReachesEveryNode() {
        List<WsClient> all = List.of(connect(1, "b1"), connect(2, "b2"), connect(3, "b3"));
        HttpResponse<String> r = call(node(2), "POST", "/api/v1/broadcast", "{\"text\":\"maintenance at noon\"}");
        assertEquals(200, r.statusCode(), r.body());
        for (WsClient c : all) {
            assertEquals("maintenance at noon", c.await("system").path("text").asText());
        }
        all.forEach(WsClient::close);
    }

    @Test
    void theConnectionLimitPerUserHoldsAcrossNodes() {
        List<WsClient> three = List.of(connect(1, "max"), connect(2, "max"), connect(3, "max"));
        WsClient fourth = WsClient.connect(node(1).ws(node(1).token("max")));
        assertEquals(4005, fourth.awaitClose().code());
        three.get(1).close();
        Await.until("a place is free again", WAIT, () -> {
            WsClient c = WsClient.connect(node(2).ws(node(2).token("max")));
            try {
                c.await("welcome");
                return true;
            } catch (AssertionError e) {
                return false;
            } finally {
                c.close();
            }
        });
        three.forEach(WsClient::close);
    }

    @Test
    void theAdminApiOfOneNodeListsTheConnectionsOfAll() throws Exception {
        WsClient far = WsClient.connect(node(3).ws(node(3).token("zed-far")));
        String id = far.await("welcome").path("connectionId").asText();
        JsonNode page = JSON.readTree(call(node(1), "GET", "/api/v1/connections?user=zed-far", null).body());
        assertEquals(1, page.path("items").size(), page.toString());
        assertEquals("n3", page.path("items").get(0).path("node").asText());
        assertEquals(id, page.path("items").get(0).path("id").asText());
        JsonNode one = JSON.readTree(call(node(2), "GET", "/api/v1/connections/" + id, null).body());
        assertEquals("zed-far", one.path("user").asText());
        Set<String> ids = new TreeSet<>();
        JSON.readTree(call(node(2), "GET", "/api/v1/nodes", null).body()).path("items").forEach(n -> ids.add(n.path("id").asText()));
        assertEquals(Set.of("n1", "n2", "n3"), ids);
        far.close();
    }

    @Test
    void theRoomsApiOfOneNodeCountsUsersOnlineOnEveryNode() {
        String room = "rooms-" + System.nanoTime();
        WsClient ola = connect(2, "ola");
        WsClient pia = connect(3, "pia");
        ola.join(room);
        pia.join(room);
        Await.until("node 1 counts ola and pia online", WAIT, () -> {
            try {
                JsonNode r = JSON.readTree(call(node(1), "GET", "/api/v1/rooms/" + room, null).body());
                return r.path("room").path("online").asInt() == 2 && r.path("room").path("connections").asInt() == 2
                        && r.path("members").findValues("online").stream().allMatch(JsonNode::asBoolean);
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> broadcast = call(node(1), "POST", "/api/v1/broadcast", "{\"room\":\"" + room + "\",\"text\":\"hello room\"}");
        assertEquals(200, broadcast.statusCode(), broadcast.body());
        assertTrue(broadcast.body().contains("\"reached\":2"), "both members, on other nodes, counted: " + broadcast.body());
        for (WsClient c : List.of(ola, pia)) assertEquals("hello room", c.await("system").path("text").asText());
        HttpResponse<String> close = call(node(1), "POST", "/api/v1/rooms/" + room + "/close", null);
        assertTrue(close.body().contains("\"removed\":2"), close.body());
        for (WsClient c : List.of(ola, pia)) {
            assertEquals("room_closed", c.await(f -> "left".equals(f.path("type").asText()), "left room_closed").path("reason").asText());
        }
        ola.close();
        pia.close();
    }

    @Test
    void aRetryReachingAnotherNodeGetsTheOriginalAckAndAReusedIdIsAConflict() {
        String room = "retry-" + System.nanoTime();
        WsClient first = connect(1, "rex");
        first.join(room);
        first.send("type", "send", "room", room, "id", "once", "text", "hello");
        JsonNode ack = first.await("ack");
        first.close();
        WsClient again = connect(2, "rex");
        again.join(room);
        again.send("type", "send", "room", room, "id", "once", "text", "hello");
        JsonNode retried = again.await("ack");
        assertEquals(ack.path("seq").asLong(), retried.path("seq").asLong(), "the original seq");
        assertTrue(retried.path("duplicate").asBoolean(), retried.toString());
        again.send("type", "send", "room", room, "id", "once", "text", "something else");
        assertEquals("id_conflict", again.awaitError("once").path("code").asText());
        again.close();
    }
}
