package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** Broadcasts typed into the console reach real clients, and the page says how many. */
@Timeout(120)
class ConsoleBroadcastTest extends ConsoleTestBase {

    private String send(String target, String field, String value, String text) {
        browser.signIn(server.adminToken(), "#/broadcast");
        new Select(browser.await(By.id("broadcast-target"))).selectByValue(target);
        if (field != null) browser.await(By.id(field)).sendKeys(value);
        browser.driver.findElement(By.id("broadcast-text")).sendKeys(text);
        browser.driver.findElement(By.id("broadcast-send")).click();
        browser.await(By.id("confirm-ok")).click();
        return browser.until("the broadcast result", d -> {
            String r = d.findElement(By.id("broadcast-result")).getText();
            return r.startsWith("Reached") ? r : null;
        });
    }

    @Test
    void aBroadcastToEveryoneReachesAConnectedClientAndThePageShowsTheCount() {
        Clients.Client ivy = clients.connect("ivy", "Ivy");
        String text = "Maintenance at noon <b>sharp</b>";

        String result = send("all", null, null, text);

        assertEquals("Reached 1 connection (everyone).", result);
        JsonNode system = ivy.ws().await("system");
        assertEquals(text, system.path("text").asText());
        assertFalse(system.has("room"), system.toString());
        assertEquals("", browser.driver.findElement(By.id("broadcast-text")).getDomProperty("value"), "the form is ready for the next one");
    }

    @Test
    void aBroadcastToARoomReachesItsMembersOnly() {
        Clients.Client jay = clients.connect("jay", null);
        Clients.Client kim = clients.connect("kim", null);
        Clients.join(jay.ws(), "ops");

        String result = send("room", "broadcast-room", "ops", "Deploy starts now");

        assertEquals("Reached 1 connection (room ops).", result);
        JsonNode system = jay.ws().await("system");
        assertEquals("Deploy starts now", system.path("text").asText());
        assertEquals("ops", system.path("room").asText());
        Clients.roundTrip(kim.ws());
        assertFalse(kim.ws().drain(java.time.Duration.ZERO).stream().anyMatch(f -> "system".equals(f.path("type").asText())));
    }

    @Test
    void aBroadcastToAUserReachesEachOfTheirConnections() {
        Clients.Client phone = clients.connect("lee", null);
        Clients.Client laptop = clients.connect("lee", null);

        String result = send("user", "broadcast-user", "lee", "Your export is ready");

        assertEquals("Reached 2 connections (user lee).", result);
        assertEquals("Your export is ready", phone.ws().await("system").path("text").asText());
        assertEquals("Your export is ready", laptop.ws().await("system").path("text").asText());
    }
}
