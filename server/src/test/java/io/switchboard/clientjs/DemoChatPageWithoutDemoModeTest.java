package io.switchboard.clientjs;

import io.switchboard.testing.Browser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** With demo mode off (the default) the page says so and works with a pasted token. */
@Timeout(90)
class DemoChatPageWithoutDemoModeTest {
    static TestServer server;
    static Browser browser;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        server = TestServer.start();
        browser = Browser.open(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void withoutDemoTokensThePageAsksForATokenAndChatsWithIt() {
        assertEquals(404, server.get("/demo/token?user=x").statusCode(), "demo tokens are off by default");
        ChatPage page = new ChatPage(browser.driver, server.port());
        page.open();
        WebElement token = page.until("the token field", d -> {
            WebElement t = d.findElement(By.id("token"));
            return t.isDisplayed() ? t : null;
        });
        assertTrue(browser.driver.findElement(By.id("token-help")).getText().contains("SWITCHBOARD_DEMO=true"));

        token.sendKeys(server.token("frank", "Frank", null));
        browser.driver.findElement(By.id("room")).clear();
        browser.driver.findElement(By.id("room")).sendKeys("pasted");
        browser.driver.findElement(By.id("join")).click();
        page.awaitStatus("connected");
        page.until("frank, from the token, among the members", d -> page.members().contains("frank"));
        String id = page.send("hi with a pasted token");
        page.until("the message acked", d -> "acked".equals(page.stateOf(id)));
        assertEquals(1, page.seqOf(id));
    }
}
