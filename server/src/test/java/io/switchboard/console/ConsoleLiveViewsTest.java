package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The Rooms, Bans and Audit views follow changes made elsewhere (here: a script calling the admin API) without a
 * reload, and show whatever those changes carry as text, never as markup.
 */
@Timeout(180)
class ConsoleLiveViewsTest extends ConsoleTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String XSS = "<img src=x onerror=window.__xss=1>";

    /** A curl-like call with the admin bearer token. */
    private static void api(String method, String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.adminToken()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Marks the document, so that a reload (which would also show the change) is caught. */
    private void markDocument() {
        browser.js("window.__sameDocument = true");
    }

    private void assertSameDocumentAndNoMarkup() {
        assertEquals(Boolean.TRUE, browser.js("return window.__sameDocument === true"), "the page was not reloaded");
        assertNull(browser.js("return window.__xss"), "no script ran from data");
        assertNull(browser.js("return document.querySelector('#view img')"), "no element was made from data");
        assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());
    }

    private String cell(WebElement row, String label) {
        return row.findElement(By.cssSelector("td[data-label='" + label + "']")).getText();
    }

    @Test
    void roomsCreatedClosedReopenedAndWrittenToElsewhereShowUpInTheOpenRoomsView() {
        browser.signIn(server.adminToken(), "#/rooms");
        browser.until("the rooms view loaded", d -> !d.findElement(By.id("rooms-empty")).getText().startsWith("Loading"));
        markDocument();

        api("POST", "/api/v1/rooms", "{\"room\":\"made-by-script\"}");
        WebElement row = browser.await(By.cssSelector("table#rooms tr[data-room='made-by-script']"));
        browser.until("the new room open", d -> cell(row, "State").equals("open"));

        api("POST", "/api/v1/rooms/made-by-script/close?reason=" + URLEncoder.encode(XSS, StandardCharsets.UTF_8), null);
        browser.until("the room closed", d -> cell(row, "State").equals("closed"));
        api("POST", "/api/v1/rooms/made-by-script/open", null);
        browser.until("the room reopened", d -> cell(row, "State").equals("open"));

        Clients.Client fay = clients.connect("fay", null);
        Clients.join(fay.ws(), "made-by-script");
        long seq = Clients.say(fay.ws(), "made-by-script", "hello");
        browser.until("the last seq to follow the message", d -> cell(row, "Last seq").equals(String.valueOf(seq)));
        browser.until("fay online", d -> cell(row, "Online").equals("1"));
        assertSameDocumentAndNoMarkup();
    }

    @Test
    void bansAddedAndLiftedElsewhereShowUpInTheOpenBansViewAsText() {
        browser.signIn(server.adminToken(), "#/bans");
        browser.await(By.id("bans-empty"));
        markDocument();

        api("POST", "/api/v1/bans", "{\"user\":\"gil\",\"duration\":\"1h\",\"reason\":" + json(XSS) + "}");
        WebElement row = browser.await(By.cssSelector("table#bans tr[data-user='gil']"));
        assertEquals(XSS, cell(row, "Reason"));
        api("POST", "/api/v1/bans", "{\"user\":\"amy\",\"reason\":\"first in order\"}");
        browser.until("amy above gil (user order)", d -> d.findElements(By.cssSelector("table#bans tbody tr")).size() == 2
                && "amy".equals(d.findElements(By.cssSelector("table#bans tbody tr")).get(0).getDomAttribute("data-user")));

        api("DELETE", "/api/v1/bans/gil", null);
        browser.until("gil's ban gone", d -> d.findElements(By.cssSelector("table#bans tr[data-user='gil']")).isEmpty());

        // A ban also ends by itself: its row goes when its time is up, with no event and no reload.
        api("POST", "/api/v1/bans", "{\"user\":\"brief\",\"duration\":\"2s\"}");
        browser.await(By.cssSelector("table#bans tr[data-user='brief']"));
        browser.until("the short ban to end", Duration.ofSeconds(10),
                d -> d.findElements(By.cssSelector("table#bans tr[data-user='brief']")).isEmpty());

        api("DELETE", "/api/v1/bans/amy", null);
        browser.until("no bans left", d -> d.findElement(By.id("bans-empty")).isDisplayed());
        assertSameDocumentAndNoMarkup();
    }

    @Test
    void auditEntriesWrittenElsewhereAppearOnTopOfTheOpenAuditLogAsText() {
        for (int i = 0; i < 55; i++) api("POST", "/api/v1/rooms", "{\"room\":\"audited-" + i + "\"}");
        browser.signIn(server.adminToken(), "#/audit");
        By rows = By.cssSelector("table#audit tbody tr");
        browser.until("the first page", d -> d.findElements(rows).size() == 50);
        browser.driver.findElement(By.id("audit-older")).click();
        int shown = browser.until("the older page too", d -> d.findElements(rows).size() > 50 ? d.findElements(rows).size() : null);
        markDocument();

        api("POST", "/api/v1/broadcast", "{\"text\":" + json(XSS) + "}");
        WebElement top = browser.until("the broadcast on top", d -> {
            WebElement first = d.findElement(By.cssSelector("table#audit tbody tr"));
            return cell(first, "Action").equals("broadcast") ? first : null;
        });
        assertEquals(XSS, cell(top, "Detail"));
        assertEquals("127.0.0.1", cell(top, "From"));
        assertEquals(shown + 1, browser.driver.findElements(rows).size(), "added on top; the older page is still shown");
        api("POST", "/api/v1/bans", "{\"user\":\"hal\",\"reason\":" + json(XSS) + "}");
        WebElement next = browser.until("the ban on top", d -> {
            WebElement first = d.findElement(By.cssSelector("table#audit tbody tr"));
            return cell(first, "Action").equals("ban") ? first : null;
        });
        assertEquals(XSS, cell(next, "Reason"));
        long broadcasts = browser.driver.findElements(rows).stream()
                .filter(r -> cell(r, "Action").equals("broadcast") && cell(r, "Detail").equals(XSS)).count();
        assertEquals(1, broadcasts, "each entry once");
        api("DELETE", "/api/v1/bans/hal", null);
        assertSameDocumentAndNoMarkup();
    }
}
