package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** A viewer sees everything and can do nothing: no enabled action in the page, and the API refuses forced calls. */
@Timeout(120)
@ConsoleTestBase.ServerSettings("admin.tokens=watcher:viewer:" + ConsoleViewerTest.VIEWER_TOKEN)
class ConsoleViewerTest extends ConsoleTestBase {
    static final String VIEWER_TOKEN = "viewer-0123456789abcdefghijklmno";

    @Test
    void aViewerHasNoEnabledKickButtonAndAForcedKickIsRefusedWith403() {
        assertEquals(32, VIEWER_TOKEN.length(), "admin tokens are at least 32 characters");
        Clients.Client uma = clients.connect("uma", "Uma");
        browser.signIn(VIEWER_TOKEN, "#/connections");
        assertEquals("viewer", browser.driver.findElement(By.id("role")).getText());
        assertEquals("watcher", browser.driver.findElement(By.id("admin-name")).getText());

        WebElement row = browser.await(By.cssSelector("table#connections tr[data-id='" + uma.id() + "']"));
        List<WebElement> buttons = row.findElements(By.cssSelector("button.kick, button.kick-user"));
        assertEquals(2, buttons.size());
        assertTrue(buttons.stream().noneMatch(WebElement::isEnabled), "every kick button is disabled for a viewer");

        // Forced from the page itself, with the session's own CSRF token: the role is what refuses it.
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) browser.jsAsync(
                "const done = arguments[arguments.length - 1];"
                + "(async () => {"
                + "  const s = await (await fetch('/console/session')).json();"
                + "  const r = await fetch('/api/v1/connections/' + encodeURIComponent(arguments[0]) + '?reason=forced',"
                + "      {method: 'DELETE', headers: {'X-CSRF-Token': s.csrf}});"
                + "  return {status: r.status, type: r.headers.get('Content-Type'), body: await r.json()};"
                + "})().then(done, e => done({error: String(e)}));", uma.id());
        assertEquals(403L, answer.get("status"), answer.toString());
        assertEquals("urn:switchboard:problem:forbidden", ((Map<?, ?>) answer.get("body")).get("type"), answer.toString());

        Clients.roundTrip(uma.ws());
        assertTrue(uma.ws().isOpen(), "the client was not kicked");
        assertFalse(uma.ws().drain(java.time.Duration.ZERO).stream().anyMatch(f -> "kicked".equals(f.path("type").asText())));
    }

    @Test
    void aViewerSeesEveryOperatorActionDisabled() {
        browser.signIn(VIEWER_TOKEN, "#/broadcast");
        assertFalse(browser.await(By.id("broadcast-send")).isEnabled());
        assertFalse(browser.driver.findElement(By.id("broadcast-text")).isEnabled());

        browser.go("#/bans");
        assertFalse(browser.await(By.id("ban-submit")).isEnabled());

        browser.go("#/rooms");
        assertFalse(browser.await(By.id("room-create-submit")).isEnabled());

        Clients.Client vic = clients.connect("vic", null);
        Clients.join(vic.ws(), "watched");
        Clients.say(vic.ws(), "watched", "hello");
        browser.go("#/rooms/watched");
        browser.await(By.cssSelector("#room-messages li[data-seq]"));
        assertTrue(browser.driver.findElements(By.cssSelector("#room-messages button.delete-message")).isEmpty(), "no delete buttons");
        assertFalse(browser.driver.findElement(By.id("room-broadcast-send")).isEnabled());
        WebElement close = browser.driver.findElement(By.id("room-close"));
        assertFalse(close.isEnabled(), "close room disabled");
    }
}
