package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.WsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Nodes view of a single node in a real browser: one row, marked as this node, live counts without a reload,
 * one request at a time, and a node address from the configuration that holds HTML shown as text. The view across
 * two nodes is in {@code ConsoleClusterTest}.
 */
@Timeout(120)
@ConsoleTestBase.ServerSettings({"node.id=solo-1", ConsoleNodesTest.ADDRESS_SETTING})
class ConsoleNodesTest extends ConsoleTestBase {
    static final String ADDRESS = "<b>x</b><img src=x onerror=\"window.__pwned=1\">";
    static final String ADDRESS_SETTING = "node.address=" + ADDRESS;

    private static By row(String node) {
        return By.cssSelector("table#nodes tr[data-node='" + node + "']");
    }

    private String cell(String node, String column) {
        return browser.driver.findElement(row(node)).findElement(By.cssSelector("td[data-col='" + column + "']")).getText();
    }

    private static String version() {
        try {
            String body = server.get("/api/v1/info", "Authorization", "Bearer " + server.adminToken()).body();
            return WsClient.JSON.readTree(body).path("version").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSingleNodeShowsItselfAsTheOneRowMarkedThisNodeWithLiveCounts() {
        browser.signIn(server.adminToken(), "#/nodes");
        browser.js("window.__sameDocument = 'yes'");
        WebElement tr = browser.await(row("solo-1"));
        assertEquals(1, browser.driver.findElements(By.cssSelector("table#nodes tbody tr")).size());
        assertEquals("true", tr.getDomAttribute("data-self"));
        assertTrue(tr.findElement(By.cssSelector(".self-badge")).isDisplayed(), "this node is marked");
        assertEquals("ready", tr.findElement(By.cssSelector("td[data-col='health'] .badge")).getText());
        assertTrue(tr.findElements(By.cssSelector(".draining-badge")).stream().noneMatch(WebElement::isDisplayed));
        assertEquals(version(), cell("solo-1", "version"));
        assertEquals("0", cell("solo-1", "connections"));

        Clients.Client ada = clients.connect("ada", null);
        Clients.join(ada.ws(), "lobby");
        browser.until("the connection count to follow", d -> cell("solo-1", "connections").equals("1"));
        browser.until("the user and room counts", d -> cell("solo-1", "users").equals("1") && cell("solo-1", "rooms").equals("1"));
        assertEquals("1 node, 1 connection in all.", browser.driver.findElement(By.id("nodes-summary")).getText());
        assertEquals("yes", browser.js("return window.__sameDocument"), "refreshed without a reload");
    }

    @Test
    void aNodeAddressWithHtmlInItShowsAsLiteralText() {
        browser.signIn(server.adminToken(), "#/nodes");
        browser.until("the address cell", d -> cell("solo-1", "address").equals(ADDRESS));
        List<WebElement> injected = browser.driver.findElements(By.cssSelector("table#nodes img, table#nodes td b"));
        assertTrue(injected.isEmpty(), "no element was created from the address");
        assertNull(browser.js("return window.__pwned === undefined ? null : window.__pwned"));
    }

    @Test
    void theNodesLinkOpensTheConnectionsPageFilteredByThatNode() {
        Clients.Client bea = clients.connect("bea", null);
        browser.signIn(server.adminToken(), "#/nodes");
        browser.await(row("solo-1")).findElement(By.cssSelector("a.node-connections")).click();
        By beaRow = By.cssSelector("table#connections tr[data-id='" + bea.id() + "']");
        browser.await(beaRow);
        assertEquals("solo-1", browser.driver.findElement(By.id("filter-node")).getDomProperty("value"));
        assertEquals("solo-1", browser.driver.findElement(beaRow).findElement(By.cssSelector("td[data-col='node']")).getText());
        assertEquals("page", browser.driver.findElement(By.id("nav-connections")).getDomAttribute("aria-current"));

        // Another node's id matches none of this node's connections.
        WebElement filter = browser.driver.findElement(By.id("filter-node"));
        filter.clear();
        filter.sendKeys("elsewhere");
        browser.until("the row to go", d -> d.findElements(beaRow).isEmpty());
        filter.clear();
        browser.js("arguments[0].dispatchEvent(new Event('input'))", filter);
        browser.await(beaRow);
    }

    @Test
    void aSlowAnswerIsNeverOverlappedByTheNextRefresh() {
        browser.signIn(server.adminToken(), "#/audit"); // a page that polls nothing
        // Every nodes request answers 3 s late: longer than the 2 s refresh, so a timer that did not wait for the
        // answer would have two under way.
        browser.js("window.__nodes = {now: 0, max: 0, done: 0};"
                + "const real = window.fetch;"
                + "window.fetch = async (url, opts) => {"
                + "  if (!String(url).startsWith('/api/v1/nodes')) return real(url, opts);"
                + "  const s = window.__nodes; s.now++; s.max = Math.max(s.max, s.now);"
                + "  try { await new Promise(r => setTimeout(r, 3000)); return await real(url, opts); }"
                + "  finally { s.now--; s.done++; }"
                + "};");
        browser.go("#/nodes");
        browser.until("three answers", java.time.Duration.ofSeconds(30),
                d -> ((Number) ((Map<?, ?>) browser.js("return window.__nodes")).get("done")).intValue() >= 3);
        assertEquals(1L, ((Number) ((Map<?, ?>) browser.js("return window.__nodes")).get("max")).longValue(),
                "never two requests at once");
        browser.await(row("solo-1"));
    }

    @Test
    void theDashboardCountsTheNodes() {
        browser.signIn(server.adminToken(), "#/dashboard");
        browser.until("one node", d -> d.findElement(By.id("stat-nodes")).getText().equals("1"));
        assertEquals("solo-1", browser.driver.findElement(By.id("stat-node")).getText());
        assertTrue(browser.driver.findElement(By.id("dashboard-scope")).getText().isEmpty(), "a single node needs no scope note");
    }
}
