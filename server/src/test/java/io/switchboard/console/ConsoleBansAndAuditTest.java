package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Bans added and lifted from the console, room creation, and the audit log paged back with "Older entries". */
@Timeout(120)
class ConsoleBansAndAuditTest extends ConsoleTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aBanFromTheConsoleClosesTheUsersConnectionsWith4003AndCanBeLifted() {
        Clients.Client xena = clients.connect("xena", null);
        browser.signIn(server.adminToken(), "#/bans");
        browser.await(By.id("bans-empty"));
        browser.await(By.id("ban-user")).sendKeys("xena");
        browser.driver.findElement(By.id("ban-duration")).sendKeys("1h");
        browser.driver.findElement(By.id("ban-reason")).sendKeys("flooding");
        browser.driver.findElement(By.id("ban-submit")).click();
        browser.await(By.id("confirm-ok")).click();

        assertEquals("flooding", xena.ws().await("kicked").path("reason").asText());
        WsClient.Closed closed = xena.ws().awaitClose();
        assertEquals(4003, closed.code(), closed.toString());
        WebElement row = browser.await(By.cssSelector("table#bans tr[data-user='xena']"));
        assertTrue(row.getText().contains("flooding"), row.getText());
        browser.until("the result in words", d -> d.findElement(By.id("bans-status")).getText().contains("1 connection closed"));

        row.findElement(By.cssSelector("button.lift")).click();
        browser.await(By.id("confirm-ok")).click();
        browser.until("the ban to be gone", d -> d.findElements(By.cssSelector("table#bans tr[data-user='xena']")).isEmpty());
        browser.await(By.id("bans-empty"));
        Clients.roundTrip(clients.connect("xena", null).ws()); // may connect again
    }

    @Test
    void aBadDurationIsExplainedBeforeAnythingIsSent() {
        browser.signIn(server.adminToken(), "#/bans");
        browser.await(By.id("ban-user")).sendKeys("yuri");
        browser.driver.findElement(By.id("ban-duration")).sendKeys("forever");
        browser.driver.findElement(By.id("ban-submit")).click();
        browser.until("the explanation", d -> d.findElement(By.id("bans-status")).getText().contains("like 30m, 12h or 7d"));
        assertTrue(server.server().bans().list(System.currentTimeMillis()).isEmpty());
    }

    @Test
    void aRoomCreatedFromTheRoomsPageIsListedAndOpens() {
        browser.signIn(server.adminToken(), "#/rooms");
        browser.await(By.id("room-create-name")).sendKeys("town-hall");
        browser.driver.findElement(By.id("room-create-submit")).click();
        WebElement row = browser.await(By.cssSelector("table#rooms tr[data-room='town-hall']"));
        row.findElement(By.linkText("town-hall")).click();
        browser.until("the room page", d -> d.findElement(By.id("room-name")).getText().equals("town-hall"));
        browser.await(By.id("room-messages-empty"));
        assertTrue(browser.driver.findElement(By.id("room-messages-empty")).getText().contains("No messages"));
    }

    @Test
    void theAuditLogShowsNewestFirstAndPagesBackWithOlder() {
        for (int i = 0; i < 55; i++) createRoomThroughTheApi("audit-" + i);
        browser.signIn(server.adminToken(), "#/audit");
        By rows = By.cssSelector("table#audit tbody tr");
        browser.until("the first page", d -> d.findElements(rows).size() == 50);
        String newest = browser.driver.findElements(rows).get(0).getText();
        assertTrue(newest.contains("sign_in"), "newest first: " + newest);

        browser.driver.findElement(By.id("audit-older")).click();
        browser.until("the older entries appended", d -> d.findElements(rows).size() > 50);
        String oldest = browser.driver.findElements(rows).get(browser.driver.findElements(rows).size() - 1).getText();
        assertTrue(oldest.contains("audit-0") || oldest.contains("sign_in"), "the oldest last: " + oldest);
    }

    private static void createRoomThroughTheApi(String room) {
        HttpRequest req = HttpRequest.newBuilder(server.http("/api/v1/rooms")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"" + room + "\"}")).build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
