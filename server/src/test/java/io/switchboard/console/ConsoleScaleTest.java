package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.chat.Connection;
import io.switchboard.chat.ConnectionIds;
import io.switchboard.chat.Hub;
import io.switchboard.metrics.Metrics;
import io.switchboard.testing.FakeConnections;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

/**
 * The Connections page at 50,000 connections on one node, in a real browser, while thousands of connections per
 * second come and go. The test JVM cannot open that many sockets (its open-files limit), so 49,997 connections are
 * the real {@link Connection} class over fake transports registered in the real hub, beside three real WebSocket
 * clients; the server, the admin API and the console are the real ones.
 */
@Timeout(300)
class ConsoleScaleTest extends ConsoleTestBase {
    /** Measured figures go to the test log (target/test-logs/tests.log), where a reader of the run finds them. */
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConsoleScaleTest.class);

    private static final int TOTAL = 50_000;
    private static final int REAL = 3;
    /** Bound on every measured page operation (typing included: the search waits 150 ms for typing to settle). */
    private static final long BOUND_MILLIS = 2000;

    /**
     * Measures in the page: runs ACTION, then answers the ms until READY holds and no fetch is under way (-1 after
     * 12 s). Both are spliced into the script's text: the console's CSP forbids eval, so they cannot be passed in.
     */
    private static final String MEASURE = """
            const done = arguments[arguments.length - 1];
            const count = document.getElementById('connections-count');
            const rows = () => [...document.querySelectorAll('#connections tbody tr')];
            const t0 = performance.now();
            ACTION
            const check = () => {
              if (!count.dataset.loading && (READY)) return done(performance.now() - t0);
              if (performance.now() - t0 > 12000) return done(-1);
              setTimeout(check, 2);
            };
            check();
            """;

    private static String user(int n) {
        return String.format("scale-u%05d", n);
    }

    @Test
    void fiftyThousandConnectionsAreCountedSearchedSortedPagedAndKickedWhileThousandsConnectPerSecond() throws Exception {
        Hub hub = server.server().hub();
        Metrics metrics = server.server().metrics();
        List<Connection> fakes = new ArrayList<>(TOTAL);
        AtomicBoolean storming = new AtomicBoolean(true);
        Thread storm = null;
        try {
            for (int i = 1; i <= TOTAL - REAL; i++) {
                Connection c = FakeConnections.admit(hub, metrics, ConnectionIds.next(), user(i), "Scale user " + i,
                        "10.1." + (i / 250 % 250) + "." + (i % 250), "FakeAgent/" + (i % 7));
                assertTrue(c != null, "admitted " + i);
                fakes.add(c);
            }
            List<Clients.Client> real = new ArrayList<>();
            for (int i = TOTAL - REAL + 1; i <= TOTAL; i++) real.add(clients.connect(user(i), "Real user " + i));
            assertEquals(TOTAL, hub.connectionCount());

            browser.signIn(server.adminToken(), "#/connections");
            browser.until("the true total", d -> "50000".equals(d.findElement(By.id("connections-count")).getDomAttribute("data-total")));
            String countText = browser.driver.findElement(By.id("connections-count")).getText();
            assertEquals("50000", countText.replaceAll("\\D", ""), countText);

            // The storm: fake connections opened and closed from another thread, thousands per second each way.
            AtomicLong opened = new AtomicLong();
            storm = new Thread(() -> {
                ArrayDeque<Connection> live = new ArrayDeque<>();
                long next = System.nanoTime();
                long stormId = 0;
                while (storming.get()) {
                    for (int k = 0; k < 10; k++) { // 10 per millisecond: 10,000 per second each way when the CPU allows
                        stormId++;
                        Connection c = FakeConnections.admit(hub, metrics, ConnectionIds.next(), "storm-" + stormId, null,
                                "10.2." + (stormId / 250 % 250) + "." + (stormId % 250), "Storm/1");
                        if (c != null) {
                            live.add(c);
                            opened.incrementAndGet();
                        }
                        if (live.size() > 1000) live.poll().close(1000, "storm");
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(1);
                    long wait = next - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait); // paces the load; nothing is awaited here
                }
                live.forEach(c -> c.close(1000, "storm over"));
            }, "connect-storm");
            long stormStart = System.nanoTime();
            storm.start();

            // Searches for fake users (typed into the search box, timed until the one matching row is rendered).
            Random random = new Random(12);
            List<Double> searches = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String target = user(1 + random.nextInt(TOTAL - REAL));
                searches.add(measure("const s = document.getElementById('connections-search'); s.value = '" + target
                        + "'; s.dispatchEvent(new Event('input'));",
                        "rows().length === 1 && rows()[0].dataset.user === '" + target + "' && count.dataset.total === '1'"));
            }
            // Sorting: clear the search, then flip the user column.
            measure("const s = document.getElementById('connections-search'); s.value = ''; s.dispatchEvent(new Event('input'));",
                    "Number(count.dataset.total) >= 50000");
            List<Double> sorts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                boolean ascending = i % 2 == 0;
                sorts.add(measure("document.querySelector(\"th[data-key='user'] button\").click();",
                        "document.querySelector(\"th[data-key='user']\").getAttribute('aria-sort') === '" + (ascending ? "ascending" : "descending")
                                + "' && rows().length === 50 && rows()[0].dataset.user " + (ascending ? "=== 'scale-u00001'" : "!== 'scale-u00001'")));
            }
            // Paging (sorted by user, ascending): next, then back.
            measure("document.querySelector(\"th[data-key='user'] button\").click();", "rows()[0].dataset.user === 'scale-u00001'");
            List<Double> pages = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                pages.add(measure("document.getElementById('connections-next').click();", "rows()[0].dataset.user === 'scale-u00051'"));
                pages.add(measure("document.getElementById('connections-prev').click();", "rows()[0].dataset.user === 'scale-u00001'"));
            }

            // The 49,999th user is a real client: found by the search and kicked from the page.
            String target = user(TOTAL - 1);
            Clients.Client victim = real.get(1);
            double found = measure("const s = document.getElementById('connections-search'); s.value = '" + target
                    + "'; s.dispatchEvent(new Event('input'));", "rows().length === 1 && rows()[0].dataset.id === '" + victim.id() + "'");
            searches.add(found);
            browser.driver.findElement(By.cssSelector("#connections tr[data-id='" + victim.id() + "'] button.kick")).click();
            browser.await(By.id("kick-reason")).sendKeys("scale test");
            browser.driver.findElement(By.id("kick-confirm")).click();
            JsonNode kicked = victim.ws().await("kicked");
            assertEquals("scale test", kicked.path("reason").asText());
            WsClient.Closed closed = victim.ws().awaitClose();
            assertEquals(4004, closed.code(), "close code: " + closed);
            browser.until("the kicked row to leave the results", d -> "0".equals(d.findElement(By.id("connections-count")).getDomAttribute("data-total")));

            storming.set(false);
            storm.join(TimeUnit.SECONDS.toMillis(30));
            double stormSeconds = (System.nanoTime() - stormStart) / 1e9;
            long stormed = opened.get();

            report("search -> rendered", searches);
            report("sort -> rendered", sorts);
            report("page -> rendered", pages);
            log.info(String.format("Connect storm during the measurements: %,d connections opened and as many closed in %.1f s (%,.0f per second each way)",
                    stormed, stormSeconds, stormed / stormSeconds));
            assertTrue(stormed / stormSeconds > 1000, "the storm reached thousands per second: " + stormed / stormSeconds);
            for (List<Double> figures : List.of(searches, sorts, pages)) {
                for (double ms : figures) assertTrue(ms >= 0 && ms < BOUND_MILLIS, "an operation took " + ms + " ms: " + figures);
            }

            // After the storm, the total is true again: everyone but the kicked client.
            measure("const s = document.getElementById('connections-search'); s.value = ''; s.dispatchEvent(new Event('input'));",
                    "count.dataset.total === '" + (TOTAL - 1) + "'");
        } finally {
            storming.set(false);
            if (storm != null) storm.join(TimeUnit.SECONDS.toMillis(30));
            for (Connection c : fakes) c.close(1000, "test over");
        }
    }

    private double measure(String action, String ready) {
        Object ms = browser.jsAsync(MEASURE.replace("ACTION", action).replace("READY", ready));
        double value = ((Number) ms).doubleValue();
        assertTrue(value >= 0, "the page did not get there within 12 s: " + ready);
        return value;
    }

    private static void report(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(Double::compare);
        log.info(String.format("Console at 50,000 connections, %s: n=%d p50 %.0f ms, max %.0f ms", what, sorted.size(),
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)));
    }
}
