package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Signing in to the console with an admin token, in a real browser. */
@Timeout(120)
class ConsoleSignInTest extends ConsoleTestBase {

    @Test
    void theConsoleIsServedAtSlashConsole() {
        HttpResponse<String> page = server.get("/console/");
        assertEquals(200, page.statusCode(), "GET /console/ → " + page.statusCode() + " " + page.headers().map());
        assertTrue(page.body().contains("id=\"signin-token\""), "the console page, not a redirect: " + page.body());
    }

    @Test
    void aWrongTokenIsRefusedWithAnErrorInWords() {
        browser.fresh("#/dashboard");
        WebElement token = browser.await(By.id("signin-token"));
        assertEquals("password", token.getDomAttribute("type"), "the token field hides what is typed");
        token.sendKeys("this-is-not-the-admin-token");
        browser.driver.findElement(By.id("signin-submit")).click();

        WebElement error = browser.await(By.id("signin-error"));
        browser.until("an error in words", d -> !error.getText().isBlank());
        assertTrue(error.getText().contains("not accepted"), error.getText());
        assertFalse(browser.driver.findElement(By.id("topbar")).isDisplayed(), "no console without a session");
        assertFalse(browser.driver.findElement(By.id("view")).isDisplayed());
    }

    @Test
    void theAdminTokenSignsInShowsTheRoleAndSignOutEndsTheSession() {
        browser.signIn(server.adminToken(), "#/dashboard");
        assertEquals("operator", browser.driver.findElement(By.id("role")).getText());
        assertEquals("admin", browser.driver.findElement(By.id("admin-name")).getText());
        browser.await(By.id("chart-connections"));

        // The session is a cookie: a reload keeps it.
        browser.driver.navigate().refresh();
        browser.until("still signed in after a reload", d -> d.findElement(By.id("topbar")).isDisplayed());

        browser.driver.findElement(By.id("signout")).click();
        browser.await(By.id("signin-token"));
        Object status = browser.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch('/console/session').then(r => done(r.status), e => done(String(e)));");
        assertEquals(401L, status, "the server ended the session too");
    }

    @Test
    void whenTheSessionIsGoneTheNextRequestBringsBackTheSignInWithAReason() {
        browser.signIn(server.adminToken(), "#/dashboard");
        browser.driver.manage().deleteAllCookies(); // as if it expired or was ended elsewhere
        browser.js("location.hash = '#/audit'");
        WebElement error = browser.await(By.id("signin-error"));
        assertTrue(error.getText().contains("session has ended"), error.getText());
        assertFalse(browser.driver.findElement(By.id("topbar")).isDisplayed());
    }

    @Test
    void afterSigningInTheBrowserKeepsNoTokenOnlyAnHttpOnlyCookie() {
        browser.signIn(server.adminToken(), "#/dashboard");
        assertEquals("", browser.js("return document.cookie"), "the session cookie is HttpOnly");
        assertEquals("", browser.driver.findElement(By.id("signin-token")).getDomProperty("value"), "the field was cleared");
        Object stored = browser.js("return localStorage.length + sessionStorage.length");
        assertEquals(0L, stored, "nothing kept in web storage");
    }
}
