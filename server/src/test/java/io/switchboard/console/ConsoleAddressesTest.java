package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.WsClient;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A console opened over IPv6 (on a server listening on every address) records and shows the operator's address as
 * {@code ::1}, the same form the connections table shows for a chat client that came over IPv6; IPv4 stays IPv4.
 */
@Timeout(120)
@ConsoleTestBase.ServerSettings({"host=::"})
class ConsoleAddressesTest extends ConsoleTestBase {

    private String cell(WebElement row, String label) {
        return row.findElement(By.cssSelector("td[data-label='" + label + "']")).getText();
    }

    @Test
    void theAuditLogAndTheConnectionsTableShowIpv6LoopbackAsColonColonOne() {
        WsClient v6 = WsClient.connected(URI.create("ws://[::1]:" + server.port() + "/ws?token=" + server.token("ivan")));
        Clients.Client v4 = clients.connect("ingrid", null);
        try {
            browser.driver.get("http://[::1]:" + server.port() + "/console/#/audit");
            browser.driver.manage().deleteAllCookies();
            browser.driver.get("about:blank");
            browser.driver.get("http://[::1]:" + server.port() + "/console/#/audit");
            browser.await(By.id("signin-token")).sendKeys(server.adminToken());
            browser.driver.findElement(By.id("signin-submit")).click();
            browser.until("the live stream", d -> "live".equals(d.findElement(By.id("live-status")).getText()));

            WebElement signIn = browser.until("the sign-in entry", d -> {
                List<WebElement> rows = d.findElements(By.cssSelector("table#audit tbody tr"));
                return rows.stream().filter(r -> cell(r, "Action").equals("sign_in")).findFirst().orElse(null);
            });
            assertEquals("::1", cell(signIn, "From"));

            browser.go("#/connections");
            WebElement ivan = browser.await(By.cssSelector("#connections tr[data-user='ivan']"));
            assertEquals("::1", ivan.findElement(By.cssSelector("td[data-col='address']")).getText());
            WebElement ingrid = browser.await(By.cssSelector("#connections tr[data-user='ingrid']"));
            assertEquals("127.0.0.1", ingrid.findElement(By.cssSelector("td[data-col='address']")).getText());
        } finally {
            v6.close();
            v4.ws().close();
        }
    }
}
