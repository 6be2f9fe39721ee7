package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.Browser;
import io.switchboard.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

/** The live stream survives a server restart: the page says "reconnecting…", then is live again without a reload. */
@Timeout(120)
class ConsoleReconnectTest {

    @Test
    void afterARestartThePageReconnectsByItselfAndShowsTheNewState() {
        Browser.requireChromium();
        TestServer server = TestServer.start();
        try (Browser browser = Browser.open(server)) {
            browser.signIn(server.adminToken(), "#/connections");
            browser.js("window.__sameDocument = 'yes'");
            int port = server.port();

            server.close();
            browser.until("the indicator to say the stream is down",
                    d -> "reconnecting…".equals(d.findElement(By.id("live-status")).getText()));

            // Same data dir (the session survives) and same port (the page's origin).
            server = TestServer.start(server.dataDir(), Map.of("port", String.valueOf(port)));
            browser.until("the stream to be live again", Duration.ofSeconds(45),
                    d -> "live".equals(d.findElement(By.id("live-status")).getText()));

            try (Clients clients = new Clients(server)) {
                Clients.Client wes = clients.connect("wes", null);
                browser.await(By.cssSelector("table#connections tr[data-id='" + wes.id() + "']"));
            }
            assertEquals("yes", browser.js("return window.__sameDocument"), "no reload happened");
        } finally {
            server.close();
        }
    }
}
