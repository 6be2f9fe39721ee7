package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The connections page in a real browser: rows searched, sorted and refreshed from the server, and kicks that reach the client. */
@Timeout(120)
class ConsoleConnectionsTest extends ConsoleTestBase {

    @BeforeEach
    void openConnectionsPage() {
        browser.signIn(server.adminToken(), "#/connections");
        browser.await(By.id("connections-count"));
    }

    private static By row(String connectionId) {
        return By.cssSelector("table#connections tr[data-id='" + connectionId + "']");
    }

    private String cell(String connectionId, String column) {
        return browser.driver.findElement(row(connectionId)).findElement(By.cssSelector("td[data-col='" + column + "']")).getText();
    }

    @Test
    void aClientThatConnectsAppearsLiveAndDisappearsWhenItDisconnects() {
        browser.js("window.__sameDocument = 'yes'"); // gone if the page reloaded
        Clients.Client dora = clients.connect("dora", "Dora Explorer");
        Clients.join(dora.ws(), "lobby");

        WebElement tr = browser.await(row(dora.id()));
        assertEquals("dora", cell(dora.id(), "user"));
        assertEquals("Dora Explorer", cell(dora.id(), "name"));
        browser.until("the room joined after connecting", d -> cell(dora.id(), "rooms").equals("lobby"));
        assertTrue(tr.getText().contains("127.0.0.1"), tr.getText());

        // The search (run on the server) narrows the table without losing the row.
        WebElement userFilter = browser.driver.findElement(By.id("connections-search"));
        userFilter.sendKeys("nobody-like-this");
        browser.until("the filter to hide the row", d -> d.findElements(row(dora.id())).isEmpty());
        assertTrue(browser.driver.findElement(By.id("connections-empty")).getText().contains("No connection matches"));
        userFilter.clear();
        userFilter.sendKeys("dor");
        browser.await(row(dora.id()));
        userFilter.clear();
        browser.js("arguments[0].dispatchEvent(new Event('input'))", userFilter);

        // Counters follow the page's own refresh.
        Clients.say(dora.ws(), "lobby", "hi");
        browser.until("the messages-in counter to move", d -> Long.parseLong(cell(dora.id(), "in").replaceAll("\\D", "")) >= 2);

        dora.ws().close();
        browser.until("the row to disappear", d -> d.findElements(row(dora.id())).isEmpty());
        assertEquals("yes", browser.js("return window.__sameDocument"), "no reload happened");
    }

    @Test
    void kickingFromTheTableClosesThatSocketWith4004AndTellsTheClientWhy() {
        Clients.Client eve = clients.connect("eve", "Eve");
        Clients.Client bystander = clients.connect("frank", "Frank");
        browser.await(row(eve.id()));
        browser.await(row(bystander.id()));

        browser.driver.findElement(row(eve.id())).findElement(By.cssSelector("button.kick")).click();
        WebElement reason = browser.await(By.id("kick-reason"));
        assertTrue(browser.driver.findElement(By.id("kick-target")).getText().contains("eve"));
        reason.sendKeys("spamming the lobby");
        browser.driver.findElement(By.id("kick-confirm")).click();

        JsonNode kicked = eve.ws().await("kicked");
        assertEquals("spamming the lobby", kicked.path("reason").asText());
        WsClient.Closed closed = eve.ws().awaitClose();
        assertEquals(4004, closed.code(), "close code: " + closed);

        browser.until("the kicked row to disappear", d -> d.findElements(row(eve.id())).isEmpty());
        browser.until("the result in words", d -> d.findElement(By.id("connections-status")).getText().contains("Kicked connection"));
        Clients.roundTrip(bystander.ws()); // the other client is untouched
        browser.await(row(bystander.id()));
    }

    @Test
    void cancellingTheKickDialogKicksNobody() {
        Clients.Client gina = clients.connect("gina", null);
        browser.await(row(gina.id())).findElement(By.cssSelector("button.kick-user")).click();
        browser.await(By.id("kick-reason"));
        browser.driver.findElement(By.id("kick-cancel")).click();
        browser.until("the dialog to close", d -> !d.findElement(By.id("kick-dialog")).isDisplayed());
        Clients.roundTrip(gina.ws());
        assertTrue(gina.ws().isOpen());
    }

    @Test
    void clickingAColumnHeaderSortsByItAndAgainReversesTheOrder() {
        Clients.Client zed = clients.connect("zed", null);
        Clients.Client amy = clients.connect("amy", null);
        browser.await(row(zed.id()));
        browser.await(row(amy.id()));
        By users = By.cssSelector("table#connections tbody td[data-col='user']");
        By header = By.cssSelector("table#connections th[data-key='user'] button");

        browser.driver.findElement(header).click();
        browser.until("ascending by user", d -> texts(users).equals(List.of("amy", "zed")));
        assertEquals("ascending", browser.driver.findElement(By.cssSelector("th[data-key='user']")).getDomAttribute("aria-sort"));
        browser.driver.findElement(header).click();
        browser.until("descending by user", d -> texts(users).equals(List.of("zed", "amy")));
    }

    private List<String> texts(By by) {
        return browser.driver.findElements(by).stream().map(WebElement::getText).toList();
    }

    @Test
    void userIdsAndNamesWithHtmlShowAsLiteralText() {
        String user = "<b>mallory</b>";
        String name = "<img src=x onerror=\"window.__pwned=1\">";
        Clients.Client mallory = clients.connect(user, name);
        browser.await(row(mallory.id()));

        assertEquals(user, cell(mallory.id(), "user"));
        assertEquals(name, cell(mallory.id(), "name"));
        List<WebElement> injected = browser.driver.findElements(By.cssSelector("table#connections img, table#connections td b"));
        assertTrue(injected.isEmpty(), "no element was created from the data");
        assertNull(browser.js("return window.__pwned === undefined ? null : window.__pwned"));
    }
}
