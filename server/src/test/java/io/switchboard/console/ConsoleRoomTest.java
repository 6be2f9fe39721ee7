package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/** A room's page in a real browser: history plus live messages (as text, never markup), deletion, close and reopen. */
@Timeout(120)
class ConsoleRoomTest extends ConsoleTestBase {
    static final String XSS = "<img src=x onerror=alert(1)>";

    private static By message(long seq) {
        return By.cssSelector("#room-messages li[data-seq='" + seq + "']");
    }

    private String text(long seq) {
        return browser.driver.findElement(message(seq)).findElement(By.cssSelector(".msg-text")).getText();
    }

    @Test
    void messagesWithHtmlShowAsLiteralTextInHistoryAndLive() {
        Clients.Client mona = clients.connect("mona", "<i>Mona</i>");
        Clients.join(mona.ws(), "xss-room");
        long stored = Clients.say(mona.ws(), "xss-room", XSS);

        browser.signIn(server.adminToken(), "#/rooms/xss-room");
        WebElement fromHistory = browser.await(message(stored));
        assertEquals(XSS, text(stored));
        assertTrue(fromHistory.getText().contains("<i>Mona</i>"), "the sender's name as text: " + fromHistory.getText());

        long live = Clients.say(mona.ws(), "xss-room", XSS + " again");
        browser.await(message(live));
        assertEquals(XSS + " again", text(live));

        assertTrue(browser.driver.findElements(By.cssSelector("#room-messages img, #room-messages i")).isEmpty(),
                "no element was created from message data");
        assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());
        assertNull(browser.js("return document.querySelector('img')"), "no image anywhere on the page");
    }

    @Test
    void theRoomPageListsMembersWithTheirOnlineState() {
        Clients.Client nia = clients.connect("nia", null);
        Clients.join(nia.ws(), "members-room");
        Clients.Client otto = clients.connect("otto", null);
        Clients.join(otto.ws(), "members-room");
        otto.ws().send("type", "leave", "room", "members-room");
        otto.ws().await("left");

        browser.signIn(server.adminToken(), "#/rooms/members-room");
        WebElement member = browser.await(By.cssSelector("#room-members li[data-user='nia']"));
        browser.until("nia online", d -> member.getText().contains("online"));
        assertTrue(browser.driver.findElements(By.cssSelector("#room-members li[data-user='otto']")).isEmpty(), "otto left");

        nia.ws().close();
        browser.until("nia offline after disconnecting", d -> member.getText().contains("offline"));
    }

    @Test
    void deletingAMessageAfterConfirmingRemovesItForMembers() {
        Clients.Client pat = clients.connect("pat", null);
        Clients.join(pat.ws(), "moderated");
        long seq = Clients.say(pat.ws(), "moderated", "something regrettable");

        browser.signIn(server.adminToken(), "#/rooms/moderated");
        browser.await(message(seq)).findElement(By.cssSelector("button.delete-message")).click();
        browser.await(By.id("confirm-reason")).sendKeys("off-topic");
        browser.driver.findElement(By.id("confirm-ok")).click();

        JsonNode deleted = pat.ws().await("deleted");
        assertEquals(seq, deleted.path("seq").asLong());
        browser.until("the message shown as removed", d -> text(seq).contains("removed"));
        assertTrue(browser.driver.findElement(message(seq)).getDomAttribute("class").contains("deleted"));
    }

    @Test
    void closingTheRoomAfterConfirmingRemovesMembersAndReopeningAllowsJoins() {
        Clients.Client quinn = clients.connect("quinn", null);
        Clients.join(quinn.ws(), "closable");

        browser.signIn(server.adminToken(), "#/rooms/closable");
        browser.await(By.id("room-close")).click();
        browser.await(By.id("confirm-ok")).click();

        JsonNode left = quinn.ws().await("left");
        assertEquals("room_closed", left.path("reason").asText());
        browser.until("the room shown as closed", d -> d.findElement(By.id("room-state")).getText().equals("closed"));

        browser.await(By.id("room-open")).click();
        browser.await(By.id("confirm-ok")).click();
        browser.until("the room shown as open", d -> d.findElement(By.id("room-state")).getText().equals("open"));
        Clients.join(quinn.ws(), "closable");
    }

    @Test
    void aBroadcastFromTheRoomPageAppearsInItsMessages() {
        Clients.Client rae = clients.connect("rae", null);
        Clients.join(rae.ws(), "announcements");

        browser.signIn(server.adminToken(), "#/rooms/announcements");
        browser.await(By.id("room-broadcast-text")).sendKeys("Welcome, everyone");
        browser.driver.findElement(By.id("room-broadcast-send")).click();
        browser.until("the confirmation to say whom it reaches",
                d -> d.findElement(By.id("confirm-text")).getText().contains("reaches 1 connection"));
        browser.driver.findElement(By.id("confirm-ok")).click();

        JsonNode system = rae.ws().await("system");
        browser.until("the reached count", d -> d.findElement(By.id("room-broadcast-result")).getText().equals("Reached 1 connection."));
        WebElement li = browser.await(message(system.path("seq").asLong()));
        assertTrue(li.getDomAttribute("class").contains("system"), li.getDomAttribute("class"));
        assertEquals("Welcome, everyone", text(system.path("seq").asLong()));
    }
}
