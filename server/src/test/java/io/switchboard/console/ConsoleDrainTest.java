package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** A draining node says so on every page of the console, live and after a reload, and on the dashboard. */
@Timeout(120)
@ConsoleTestBase.ServerSettings({"drain.delay=1s", "drain.window=1s", "shutdown.grace=10s"})
class ConsoleDrainTest extends ConsoleTestBase {

    @Test
    void aDrainStartedElsewhereShowsABannerOnEveryPageUntilItsConnectionsAreMoved() throws Exception {
        browser.signIn(server.adminToken(), "#/dashboard");
        browser.until("the node headline", d -> d.findElement(By.id("stat-node")).getText().equals(server.server().node().id()));
        assertFalse(browser.driver.findElement(By.id("drain-notice")).isDisplayed(), "no banner while serving");
        Clients.Client chat = clients.connect("dora", null);

        // Started by a script, not by this page: the live stream brings it.
        HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.http("/api/v1/drain"))
                .header("Authorization", "Bearer " + server.adminToken()).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());

        WebElement banner = browser.until("the draining banner", d -> {
            WebElement e = d.findElement(By.id("drain-notice"));
            return e.isDisplayed() ? e : null;
        });
        assertTrue(banner.getText().startsWith("This node is draining (admin admin):"), banner.getText());
        browser.until("the dashboard's node note", d -> d.findElement(By.id("stat-node"))
                .findElement(By.xpath("following-sibling::span[@class='stat-note']")).getText().equals("draining"));
        assertEquals(new WsClient.Closed(1012, "draining"), chat.ws().awaitClose(Duration.ofSeconds(10)));
        browser.until("the banner to say the connections were moved", d -> d.findElement(By.id("drain-notice")).getText()
                .endsWith("all 1 chat connection(s) have been moved to other nodes."));

        // Another page, and a reload: the snapshot carries the node's state.
        browser.go("#/connections");
        assertTrue(browser.driver.findElement(By.id("drain-notice")).isDisplayed());
        browser.driver.navigate().refresh();
        browser.until("the banner after a reload", d -> d.findElement(By.id("drain-notice")).isDisplayed()
                && d.findElement(By.id("drain-notice")).getText().startsWith("This node is draining"));
        // The sign-in page's session probe (401 before signing in) is expected; nothing else may fail.
        java.util.List<String> severe = browser.severeLogs().stream().filter(l -> !l.contains("/console/session")).toList();
        assertTrue(severe.isEmpty(), severe.toString());
    }
}
