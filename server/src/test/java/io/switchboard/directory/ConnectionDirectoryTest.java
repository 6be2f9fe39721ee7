package io.switchboard.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.chat.Connection;
import io.switchboard.chat.TestRooms;
import io.switchboard.testing.FakeConnections;
import io.switchboard.testing.FakePeer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection query and the merge of per-node pages, against connections backed by fake peers (no server). */
@Timeout(240)
class ConnectionDirectoryTest {
    /** Measured figures go to the test log (target/test-logs/tests.log), where a reader of the run finds them. */
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnectionDirectoryTest.class);


    /** Connection i: user u(i % 97), name, address and agent derived from i, queue length i % 13, rooms by i % 5. */
    private static List<Connection> fakes(int n, long seed) {
        Random random = new Random(seed);
        List<Connection> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FakePeer peer = new FakePeer();
            peer.setQueued(i % 13);
            // Many equal keys (connectedAt repeats, queue lengths repeat) so that the id tie-break matters.
            Connection c = FakeConnections.create(String.format("id%06d", random.nextInt(1_000_000)) + i, "u" + (i % 97),
                    i % 3 == 0 ? null : "Name " + i, "10.0." + (i % 250) + "." + (i % 7), i % 4 == 0 ? null : "Agent/" + (i % 11),
                    1_000_000L + random.nextInt(n / 3 + 1), peer, x -> {});
            if (i % 5 == 0) TestRooms.join(c, "lobby");
            if (i % 5 == 1) TestRooms.join(c, "ops");
            out.add(c);
        }
        return out;
    }

    private static ConnectionQuery query(String q, String user, String room, ConnectionSort sort, boolean desc, int limit) {
        return new ConnectionQuery(q, user, room, null, sort, desc, limit, null);
    }

    /** Every page of {@code query} from {@code pageOf}, following nextCursor; checks that totals stay put. */
    private static List<ConnectionView> walk(ConnectionQuery query, Function<ConnectionQuery, ConnectionPage> pageOf) {
        List<ConnectionView> out = new ArrayList<>();
        ConnectionQuery q = query;
        Long total = null;
        for (int guard = 0; guard < 100_000; guard++) {
            ConnectionPage page = pageOf.apply(q);
            if (total == null) total = page.total();
            assertEquals(total, page.total(), "the total does not depend on the cursor");
            assertTrue(page.items().size() <= query.limit());
            out.addAll(page.items());
            if (page.nextCursor() == null) return out;
            assertEquals(query.limit(), page.items().size(), "only the last page is short");
            q = query.after(ConnectionCursor.decode(page.nextCursor()));
        }
        throw new AssertionError("paging did not end");
    }

    private static List<String> ids(List<ConnectionView> views) {
        return views.stream().map(ConnectionView::id).toList();
    }

    @Test
    void pagingWalksEveryMatchExactlyOnceInOrderForEverySortAndDirection() {
        List<Connection> all = fakes(2000, 1);
        LocalConnectionDirectory dir = new LocalConnectionDirectory("n1", () -> all);
        for (ConnectionSort sort : ConnectionSort.values()) {
            for (boolean desc : new boolean[] {false, true}) {
                ConnectionQuery q = query(null, null, null, sort, desc, 37);
                List<ConnectionView> walked = walk(q, dir::query);
                assertEquals(all.size(), walked.size(), sort + " " + desc);
                assertEquals(all.size(), new HashSet<>(ids(walked)).size(), "no duplicates: " + sort + " " + desc);
                List<ConnectionView> sorted = new ArrayList<>(walked);
                sorted.sort(q.order());
                assertEquals(ids(sorted), ids(walked), "in order: " + sort + " " + desc);
                assertTrue(walked.stream().allMatch(v -> v.node().equals("n1")));
            }
        }
    }

    @Test
    void filtersMatchTextIgnoringCaseAndUserRoomAndNodeExactly() {
        List<Connection> all = fakes(1000, 2);
        LocalConnectionDirectory dir = new LocalConnectionDirectory("n1", () -> all);
        ConnectionPage byName = dir.query(query("name 12", null, null, ConnectionSort.USER, false, 500));
        // "Name 12", "Name 120".."Name 129", "Name 1200"...: i = 12 and 120..129 minus multiples of 3 (no name)
        long expected = all.stream().filter(c -> c.principal().name() != null && c.principal().name().toLowerCase().contains("name 12")).count();
        assertEquals(expected, byName.total());
        assertTrue(byName.total() > 3);
        assertEquals(all.stream().filter(c -> c.userAgent() != null && c.userAgent().contains("Agent/10")).count(),
                dir.query(query("agent/10", null, null, ConnectionSort.ID, false, 1)).total());
        assertEquals(all.stream().filter(c -> c.remoteAddress().contains("10.0.249.")).count(),
                dir.query(query("10.0.249.", null, null, ConnectionSort.ID, false, 1)).total());
        String someId = all.get(500).id();
        assertEquals(List.of(someId), ids(dir.query(query(someId.toUpperCase(), null, null, ConnectionSort.ID, false, 5)).items()));

        ConnectionPage u5 = dir.query(query(null, "u5", null, ConnectionSort.CONNECTED_AT, false, 500));
        assertTrue(u5.items().stream().allMatch(v -> v.user().equals("u5")), "u5 exactly, not u50..u59");
        assertEquals(all.stream().filter(c -> c.user().equals("u5")).count(), u5.total());

        ConnectionPage lobby = dir.query(query(null, null, "lobby", ConnectionSort.CONNECTED_AT, false, 500));
        assertEquals(200, lobby.total());
        assertTrue(lobby.items().stream().allMatch(v -> v.rooms().equals(List.of("lobby"))));
        assertEquals(0, dir.query(query(null, null, "lob", ConnectionSort.ID, false, 5)).total(), "rooms match exactly");

        assertEquals(1000, dir.query(new ConnectionQuery(null, null, null, "n1", ConnectionSort.ID, false, 5, null)).total());
        ConnectionPage other = dir.query(new ConnectionQuery(null, null, null, "n2", ConnectionSort.ID, false, 5, null));
        assertEquals(0, other.total());
        assertNull(other.nextCursor());
    }

    @Test
    void aClosedConnectionIsNeitherCountedNorListed() {
        List<Connection> all = fakes(10, 3);
        all.get(4).close(1000, "bye");
        LocalConnectionDirectory dir = new LocalConnectionDirectory("n1", () -> all);
        ConnectionPage page = dir.query(ConnectionQuery.all(50));
        assertEquals(9, page.total());
        assertTrue(!ids(page.items()).contains(all.get(4).id()));
    }

    @Test
    void aCursorIsTiedToItsOrderAndGarbageIsRefused() {
        List<Connection> all = fakes(100, 4);
        LocalConnectionDirectory dir = new LocalConnectionDirectory("n1", () -> all);
        String next = dir.query(query(null, null, null, ConnectionSort.USER, false, 10)).nextCursor();
        assertNotNull(next);
        ConnectionCursor cursor = ConnectionCursor.decode(next);
        assertThrows(IllegalArgumentException.class, () -> query(null, null, null, ConnectionSort.USER, true, 10).after(cursor));
        assertThrows(IllegalArgumentException.class, () -> query(null, null, null, ConnectionSort.ID, false, 10).after(cursor));
        for (String bad : List.of("!!!", "a", "YWJj", "YzEKdXNlcgpzaWRld2F5cwppZAp4", "YzEKcXVldWVkCmFzYwppZAp0ZW4")) {
            assertThrows(IllegalArgumentException.class, () -> ConnectionCursor.decode(bad), bad);
        }
        // A text key may hold anything, the separator too.
        ConnectionCursor odd = new ConnectionCursor(ConnectionSort.USER, true, 0, "a\nb|c", "x");
        assertEquals(odd, ConnectionCursor.decode(odd.encode()));
    }

    @Test
    void mergingEachNodesPageGivesExactlyThePageOfOneNodeHoldingEverything() {
        List<Connection> all = fakes(3000, 5);
        // Three nodes with uneven shares, one of them empty of some filters' matches.
        List<List<Connection>> nodes = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Random random = new Random(6);
        for (Connection c : all) nodes.get(random.nextInt(10) < 6 ? 0 : random.nextInt(2) + 1).add(c);
        List<LocalConnectionDirectory> dirs = List.of(new LocalConnectionDirectory("a", () -> nodes.get(0)),
                new LocalConnectionDirectory("b", () -> nodes.get(1)), new LocalConnectionDirectory("c", () -> nodes.get(2)));
        LocalConnectionDirectory one = new LocalConnectionDirectory("one", () -> all);
        Function<ConnectionQuery, ConnectionPage> cluster = q -> ConnectionPages.merge(q, dirs.stream().map(d -> d.query(q)).toList());

        List<ConnectionQuery> queries = new ArrayList<>();
        for (ConnectionSort sort : ConnectionSort.values()) {
            for (int limit : new int[] {1, 7, 50, 5000}) {
                queries.add(query(null, null, null, sort, limit % 2 == 0, limit));
            }
        }
        queries.add(query("name 1", null, null, ConnectionSort.USER, false, 13));
        queries.add(query(null, "u7", null, ConnectionSort.QUEUED, true, 3));
        queries.add(query(null, null, "ops", ConnectionSort.CONNECTED_AT, true, 25));
        queries.add(query("no such thing", null, null, ConnectionSort.ID, false, 10));
        for (ConnectionQuery q : queries) {
            ConnectionPage first = cluster.apply(q);
            ConnectionPage expected = one.query(q);
            assertEquals(expected.total(), first.total(), "totals add: " + q);
            assertEquals(ids(expected.items()), ids(first.items()), "first page: " + q);
            assertEquals(expected.nextCursor(), first.nextCursor(), "same cursor: " + q);
            assertEquals(ids(walk(q, one::query)), ids(walk(q, cluster)), "every page: " + q);
        }
        // Items keep the node that holds them.
        ConnectionPage page = cluster.apply(query(null, null, null, ConnectionSort.ID, false, 5000));
        for (ConnectionView v : page.items()) {
            int node = v.node().charAt(0) - 'a';
            assertTrue(nodes.get(node).stream().anyMatch(c -> c.id().equals(v.id())), v.toString());
        }
    }

    @Test
    void aMergeOfNothingIsAnEmptyLastPage() {
        ConnectionPage none = ConnectionPages.merge(ConnectionQuery.all(10), List.of());
        assertEquals(0, none.total());
        assertTrue(none.items().isEmpty());
        assertNull(none.nextCursor());
    }

    @Test
    void aQueryOverFiftyThousandConnectionsTakesMillisecondsNotSeconds() {
        List<Connection> all = fakes(50_000, 7);
        LocalConnectionDirectory dir = new LocalConnectionDirectory("n1", () -> all);
        List<ConnectionQuery> queries = List.of(ConnectionQuery.all(50), query("name 4999", null, null, ConnectionSort.USER, true, 50),
                query(null, null, "lobby", ConnectionSort.FRAMES_IN, true, 500), query("agent", null, null, ConnectionSort.QUEUED, false, 50));
        for (int warm = 0; warm < 5; warm++) queries.forEach(dir::query);
        List<Long> micros = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (ConnectionQuery q : queries) {
                long t0 = System.nanoTime();
                dir.query(q);
                micros.add((System.nanoTime() - t0) / 1000);
            }
        }
        micros.sort(Comparator.naturalOrder());
        long p50 = micros.get(micros.size() / 2);
        long max = micros.get(micros.size() - 1);
        log.info(String.format("ConnectionDirectory over 50,000 connections: p50 %.1f ms, max %.1f ms", p50 / 1000.0, max / 1000.0));
        assertTrue(max < 2_000_000, "a query took " + max / 1000 + " ms");
        Set<String> seen = new HashSet<>(ids(dir.query(query("name 4999", null, null, ConnectionSort.USER, true, 50)).items()));
        assertTrue(seen.size() >= 1);
    }
}
