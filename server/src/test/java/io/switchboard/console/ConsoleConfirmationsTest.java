package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * Every console action that changes what others see or reaches many clients (broadcasts to everyone, a room or a
 * user; kick; ban and lifting a ban; deleting a message; closing and reopening a room) first asks, in words that say
 * what will happen and how many connections it reaches; Cancel changes nothing (no audit entry, no frame).
 */
@Timeout(180)
class ConsoleConfirmationsTest extends ConsoleTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static JsonNode api(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.adminToken())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() < 300, () -> method + " " + path + ": " + r.statusCode() + " " + r.body());
            return r.body().isEmpty() ? WsClient.JSON.missingNode() : WsClient.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Actions in the audit log other than sign-ins, newest first. */
    private static List<String> auditedActions() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : api("GET", "/api/v1/audit?limit=500", null).path("items")) {
            String action = e.path("action").asText();
            if (!action.startsWith("sign_")) out.add(action + " " + e.path("target").asText());
        }
        return out;
    }

    /** Waits for the confirmation dialog, checks its words, cancels it, and returns its text. */
    private String askedAndCancelled(String title, String... words) {
        browser.until("the " + title + " confirmation", d -> d.findElement(By.id("confirm-dialog")).isDisplayed());
        assertEquals(title, browser.driver.findElement(By.id("confirm-title")).getText());
        String text = browser.driver.findElement(By.id("confirm-text")).getText();
        for (String w : words) assertTrue(text.contains(w), "\"" + w + "\" in: " + text);
        browser.driver.findElement(By.id("confirm-cancel")).click();
        browser.until("the dialog to close", d -> !d.findElement(By.id("confirm-dialog")).isDisplayed());
        return text;
    }

    private void broadcastForm(String target, String field, String value, String text) {
        new Select(browser.await(By.id("broadcast-target"))).selectByValue(target);
        if (field != null) {
            browser.await(By.id(field)).clear();
            browser.driver.findElement(By.id(field)).sendKeys(value);
        }
        browser.driver.findElement(By.id("broadcast-text")).clear();
        browser.driver.findElement(By.id("broadcast-text")).sendKeys(text);
        browser.driver.findElement(By.id("broadcast-send")).click();
    }

    @Test
    void broadcastsToEveryoneARoomOrAUserAskFirstSayingHowManyConnectionsTheyReach() {
        Clients.Client ada = clients.connect("ada", null);
        Clients.Client bo = clients.connect("bo", null);
        Clients.Client bo2 = clients.connect("bo", null);
        Clients.join(ada.ws(), "town");
        List<String> before = auditedActions();

        browser.signIn(server.adminToken(), "#/broadcast"); // live: the snapshot with the three connections is in
        broadcastForm("all", null, null, "to all");
        askedAndCancelled("Broadcast to everyone", "every connected client", "3 connections");
        broadcastForm("room", "broadcast-room", "town", "to town");
        askedAndCancelled("Broadcast to a room", "room town", "1 connection");
        broadcastForm("user", "broadcast-user", "bo", "to bo");
        askedAndCancelled("Broadcast to a user", "user bo", "2 connections");

        browser.go("#/rooms/town");
        browser.await(By.id("room-broadcast-text")).sendKeys("from the room page");
        browser.driver.findElement(By.id("room-broadcast-send")).click();
        askedAndCancelled("Broadcast to this room", "room town", "1 connection");

        assertEquals(before, auditedActions(), "nothing was sent");
        for (Clients.Client c : List.of(ada, bo, bo2)) {
            Clients.roundTrip(c.ws());
            assertFalse(c.ws().drain(Duration.ZERO).stream().anyMatch(f -> "system".equals(f.path("type").asText())),
                    "no broadcast reached " + c.id());
        }

        // Confirmed, it goes out.
        browser.go("#/broadcast");
        broadcastForm("all", null, null, "now for real");
        browser.await(By.id("confirm-ok")).click();
        assertEquals("now for real", ada.ws().await("system").path("text").asText());
        browser.until("the result", d -> d.findElement(By.id("broadcast-result")).getText().equals("Reached 3 connections (everyone)."));
    }

    @Test
    void closingReopeningBanningLiftingKickingAndDeletingAllAskFirst() {
        Clients.Client cy = clients.connect("cy", null);
        Clients.join(cy.ws(), "hall");
        long seq = Clients.say(cy.ws(), "hall", "to be deleted");
        api("POST", "/api/v1/bans", "{\"user\":\"dora\",\"duration\":\"1h\"}");
        List<String> before = auditedActions();

        browser.signIn(server.adminToken(), "#/rooms/hall");
        browser.await(By.cssSelector("#room-messages li[data-seq='" + seq + "'] button.delete-message")).click();
        askedAndCancelled("Delete message", "#" + seq, "hall");
        browser.await(By.id("room-close")).click();
        askedAndCancelled("Close room", "hall", "1 connection");

        api("POST", "/api/v1/rooms/hall/close", null);
        before = auditedActions();
        browser.until("the reopen button", d -> d.findElement(By.id("room-open")).isDisplayed());
        browser.driver.findElement(By.id("room-open")).click();
        askedAndCancelled("Reopen room", "hall");

        browser.go("#/bans");
        browser.await(By.cssSelector("table#bans tr[data-user='dora'] button.lift")).click();
        askedAndCancelled("Lift ban", "dora");
        browser.await(By.id("ban-user")).sendKeys("cy");
        browser.driver.findElement(By.id("ban-submit")).click();
        askedAndCancelled("Ban user", "cy", "1 connection");

        browser.go("#/connections");
        browser.await(By.cssSelector("#connections tr[data-user='cy'] button.kick")).click();
        browser.until("the kick dialog", d -> d.findElement(By.id("kick-dialog")).isDisplayed());
        assertTrue(browser.driver.findElement(By.id("kick-target")).getText().contains("cy"));
        browser.driver.findElement(By.id("kick-cancel")).click();
        browser.driver.findElement(By.cssSelector("#connections tr[data-user='cy'] button.kick-user")).click();
        browser.until("the kick dialog", d -> d.findElement(By.id("kick-dialog")).isDisplayed());
        assertTrue(browser.driver.findElement(By.id("kick-target")).getText().contains("1 connection open now"));
        browser.driver.findElement(By.id("kick-cancel")).click();

        assertEquals(before, auditedActions(), "cancelled, nothing changed");
        assertEquals(1, server.server().hub().connectionsOf("cy").size());
        api("POST", "/api/v1/rooms/hall/open", null);
    }
}
