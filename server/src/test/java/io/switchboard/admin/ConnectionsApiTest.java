package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Live connections through the admin API: listing, filters, paging, inspection and kicks, with real clients. */
@Timeout(60)
class ConnectionsApiTest extends AdminApiTestBase {

    private WsClient connect(String user, List<String> ids) {
        WsClient c = chat.track(WsClient.connect(server.ws(server.token(user))));
        ids.add(c.await("welcome").path("connectionId").asText());
        return c;
    }

    private static Set<String> ids(JsonNode items) {
        Set<String> out = new HashSet<>();
        items.forEach(i -> out.add(i.path("id").asText()));
        return out;
    }

    @Test
    void theListShowsEveryLiveConnectionWithItsDocumentedFields() {
        List<String> ids = new ArrayList<>();
        WsClient alice = chat.track(WsClient.connect(server.ws(server.token("list-alice", "Alice L.", null))));
        ids.add(alice.await("welcome").path("connectionId").asText());
        connect("list-bob", ids);
        Chat.join(alice, "list-room");
        Chat.say(alice, "list-room", "hello");
        alice.await("message"); // the echo: the last frame this test expects the server to count

        // The counter moves right after the frame is handed to the socket, so the client may see it a moment earlier.
        Await.until("joined, ack and echo counted", Duration.ofSeconds(10), () -> api.get("/api/v1/connections/" + ids.get(0))
                .expect(200).path("messagesOut").asLong() >= 3);
        JsonNode page = api.get("/api/v1/connections").expect(200);
        assertEquals(Set.copyOf(ids), ids(page.path("items")));
        assertTrue(page.path("nextCursor").isNull(), "one page only: " + page);
        JsonNode a = null;
        for (JsonNode item : page.path("items")) if (item.path("id").asText().equals(ids.get(0))) a = item;
        assertEquals("list-alice", a.path("user").asText());
        assertEquals("127.0.0.1", a.path("remoteAddress").asText());
        assertFalse(a.path("userAgent").asText().isEmpty(), a.toString());
        assertTrue(a.path("connectedAt").asLong() > 0, a.toString());
        assertTrue(a.path("lastActivity").asLong() >= a.path("connectedAt").asLong(), a.toString());
        assertEquals(List.of("list-room"), WsClient.JSON.convertValue(a.path("rooms"), List.class));
        assertTrue(a.path("messagesIn").asLong() >= 2, "join and send counted: " + a);
        assertTrue(a.has("queued") && a.path("queued").isInt(), a.toString());
        assertEquals("Alice L.", a.path("name").asText(), a.toString());
    }

    @Test
    void theListFiltersByUserAndByRoom() {
        List<String> ids = new ArrayList<>();
        WsClient first = connect("filter-carol", ids);
        connect("filter-carol", ids);
        WsClient dave = connect("filter-dave", ids);
        Chat.join(first, "filter-room");
        Chat.join(dave, "filter-room");

        assertEquals(Set.of(ids.get(0), ids.get(1)), ids(api.get("/api/v1/connections?user=filter-carol").expect(200).path("items")));
        assertEquals(Set.of(ids.get(0), ids.get(2)), ids(api.get("/api/v1/connections?room=filter-room").expect(200).path("items")));
        assertEquals(Set.of(ids.get(0)),
                ids(api.get("/api/v1/connections?room=filter-room&user=filter-carol").expect(200).path("items")));
        assertEquals(0, api.get("/api/v1/connections?user=nobody-at-all").expect(200).path("items").size());
    }

    @Test
    void pagingWithLimitOneWalksEveryConnectionExactlyOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) connect("pager-" + (i % 2), ids);

        List<JsonNode> walked = api.walk("/api/v1/connections", 1);
        List<String> walkedIds = walked.stream().map(i -> i.path("id").asText()).toList();
        assertEquals(5, walkedIds.size(), walkedIds.toString());
        assertEquals(Set.copyOf(ids), Set.copyOf(walkedIds), "every connection once");

        List<String> byUser = api.walk("/api/v1/connections?user=pager-0", 1).stream().map(i -> i.path("id").asText()).toList();
        assertEquals(List.of(ids.get(0), ids.get(2), ids.get(4)).stream().sorted().toList(), byUser.stream().sorted().toList());
    }

    @Test
    void oneConnectionCanBeInspectedById() {
        List<String> ids = new ArrayList<>();
        WsClient c = connect("inspect-erin", ids);
        Chat.join(c, "inspect-room");

        JsonNode view = api.get("/api/v1/connections/" + ids.get(0)).expect(200);
        assertEquals(ids.get(0), view.path("id").asText());
        assertEquals("inspect-erin", view.path("user").asText());
        assertEquals("inspect-room", view.path("rooms").path(0).asText());
    }

    @Test
    void anUnknownConnectionIdIsA404Problem() {
        api.get("/api/v1/connections/no-such-connection").problem(404);
    }

    @Test
    void kickingAConnectionSendsTheReasonThenClose4004AndSparesTheUsersOtherConnection() {
        List<String> ids = new ArrayList<>();
        WsClient kicked = connect("kick-frank", ids);
        WsClient other = connect("kick-frank", ids);

        JsonNode answer = api.delete("/api/v1/connections/" + ids.get(0) + "?reason=spam").expect(200);
        assertEquals(1, answer.path("kicked").asInt(), answer.toString());

        JsonNode frame = kicked.await("kicked");
        assertEquals("spam", frame.path("reason").asText(), frame.toString());
        WsClient.Closed closed = kicked.awaitClose();
        assertEquals(4004, closed.code(), closed.toString());
        assertEquals("kicked", closed.reason());
        Chat.assertUntouched(other, "kicked");
    }

    @Test
    void aKickedConnectionLeavesTheListAndCannotBeKickedTwice() {
        List<String> ids = new ArrayList<>();
        WsClient kicked = connect("kick-twice-gil", ids);
        api.delete("/api/v1/connections/" + ids.get(0)).expect(200);
        kicked.awaitClose();
        assertEquals(0, api.get("/api/v1/connections?user=kick-twice-gil").expect(200).path("items").size());
        api.get("/api/v1/connections/" + ids.get(0)).problem(404);
        api.delete("/api/v1/connections/" + ids.get(0)).problem(404);
    }

    @Test
    void aKickWithoutAReasonSendsAKickedFrameWithoutOne() {
        List<String> ids = new ArrayList<>();
        WsClient kicked = connect("kick-plain-hal", ids);
        assertEquals(1, api.delete("/api/v1/connections/" + ids.get(0)).expect(200).path("kicked").asInt());
        assertFalse(kicked.await("kicked").has("reason"));
        assertEquals(4004, kicked.awaitClose().code());
    }

    @Test
    void kickingAUserClosesEveryConnectionOfThatUserAndNoOtherOne() {
        List<String> ids = new ArrayList<>();
        WsClient g1 = connect("kickall-gina", ids);
        WsClient g2 = connect("kickall-gina", ids);
        WsClient g3 = connect("kickall-gina", ids);
        WsClient bystander = connect("kickall-hank", ids);

        JsonNode answer = api.post("/api/v1/users/kickall-gina/kick", AdminClient.json("reason", "flooding")).expect(200);
        assertEquals(3, answer.path("kicked").asInt(), answer.toString());
        for (WsClient g : List.of(g1, g2, g3)) {
            assertEquals("flooding", g.await("kicked").path("reason").asText());
            assertEquals(4004, g.awaitClose().code());
        }
        Chat.assertUntouched(bystander, "kicked");
        assertEquals(Set.of(ids.get(3)), ids(api.get("/api/v1/connections").expect(200).path("items")),
                "only the bystander is left");
    }

    @Test
    void kickingAUserWithoutConnectionsKicksNone() {
        assertEquals(0, api.post("/api/v1/users/kick-nobody/kick").expect(200).path("kicked").asInt(), "no body: no reason");
    }

    @Test
    void searchSortAndTotalRunOnTheServerAndEveryItemNamesItsNode() {
        List<String> ids = new ArrayList<>();
        for (String user : List.of("srch-carol", "srch-alice", "srch-bob")) {
            chat.track(WsClient.connect(server.ws(server.token(user, "Searched " + user.substring(5).toUpperCase(), null))))
                    .await("welcome");
        }
        connect("other-dave", ids);

        JsonNode page = api.get("/api/v1/connections?q=SRCH-&sort=user&order=desc").expect(200);
        assertEquals(3, page.path("total").asInt(), page.toString());
        List<String> users = new ArrayList<>();
        page.path("items").forEach(i -> users.add(i.path("user").asText()));
        assertEquals(List.of("srch-carol", "srch-bob", "srch-alice"), users);
        String node = server.server().node().id();
        page.path("items").forEach(i -> assertEquals(node, i.path("node").asText(), i.toString()));

        assertEquals(1, api.get("/api/v1/connections?q=searched%20b").expect(200).path("total").asInt(), "names match too");
        assertEquals(ids.get(0), api.get("/api/v1/connections?q=" + ids.get(0).toLowerCase()).expect(200)
                .path("items").path(0).path("id").asText(), "ids match, ignoring case");
        assertEquals(3, api.get("/api/v1/connections?q=srch&node=" + node).expect(200).path("total").asInt());
        JsonNode elsewhere = api.get("/api/v1/connections?node=another-node").expect(200);
        assertEquals(0, elsewhere.path("total").asInt());
        assertTrue(elsewhere.path("nextCursor").isNull());

        // Paging by two: the total stays, the pages follow the sort, the last page has no cursor.
        JsonNode first = api.get("/api/v1/connections?q=srch&sort=user&limit=2").expect(200);
        assertEquals(3, first.path("total").asInt());
        assertEquals("srch-alice", first.path("items").path(0).path("user").asText());
        JsonNode second = api.get("/api/v1/connections?q=srch&sort=user&limit=2&cursor=" + first.path("nextCursor").asText()).expect(200);
        assertEquals(3, second.path("total").asInt());
        assertEquals(1, second.path("items").size());
        assertEquals("srch-carol", second.path("items").path(0).path("user").asText());
        assertTrue(second.path("nextCursor").isNull());
        assertEquals(node, api.get("/api/v1/connections/" + ids.get(0)).expect(200).path("node").asText());
    }

    @Test
    void badSortsOrdersLimitsAndCursorsAre400Problems() {
        connect("bad-params-1", new ArrayList<>());
        connect("bad-params-2", new ArrayList<>());
        assertTrue(api.get("/api/v1/connections?sort=name").problem(400).path("detail").asText().contains("connectedAt, user, id"));
        assertTrue(api.get("/api/v1/connections?order=up").problem(400).path("detail").asText().contains("asc or desc"));
        api.get("/api/v1/connections?limit=0").problem(400);
        api.get("/api/v1/connections?limit=501").problem(400);
        api.get("/api/v1/connections?limit=500").expect(200);
        api.get("/api/v1/connections?cursor=not-a-cursor!").problem(400);
        api.get("/api/v1/connections?cursor=MDAwMDAwMTc2MzcwODQwMjE1NjpRQzFwbEdBSkpicW0").problem(400); // an old-style cursor
        String next = api.get("/api/v1/connections?q=bad-params&sort=user&limit=1").expect(200).path("nextCursor").asText();
        assertTrue(api.get("/api/v1/connections?q=bad-params&sort=id&limit=1&cursor=" + next).problem(400)
                .path("detail").asText().contains("another sort order"));
        api.get("/api/v1/connections?q=bad-params&sort=user&order=desc&limit=1&cursor=" + next).problem(400);
        api.get("/api/v1/connections?user=%01").problem(422);
    }

    @Test
    void theLargestPageIsConfigurable() {
        try (io.switchboard.testing.TestServer small = io.switchboard.testing.TestServer.start(java.util.Map.of("admin.connections.page.max", "2"))) {
            AdminClient smallApi = AdminClient.admin(small);
            assertTrue(smallApi.get("/api/v1/connections?limit=3").problem(400).path("detail").asText().contains("from 1 to 2"));
            smallApi.get("/api/v1/connections?limit=2").expect(200);
            smallApi.get("/api/v1/connections").expect(200);
        }
    }
}
