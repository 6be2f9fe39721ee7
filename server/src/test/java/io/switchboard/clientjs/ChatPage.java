package io.switchboard.clientjs;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The demo chat page at /chat/ as a user drives it, through its stable element ids. */
final class ChatPage {
    /** Long enough for a reconnect after a restart (the page's backoff is capped at 5 s). */
    static final Duration WAIT = Duration.ofSeconds(30);

    private final WebDriver driver;
    private final int port;

    ChatPage(WebDriver driver, int port) {
        this.driver = driver;
        this.port = port;
    }

    void open() {
        driver.get("http://127.0.0.1:" + port + "/chat/");
        until("the join form", d -> d.findElement(By.id("join")).isDisplayed());
    }

    /** Fills the join form and waits until the page is connected, in the room and listed as a member. */
    void join(String name, String room) {
        WebElement n = driver.findElement(By.id("name"));
        n.clear();
        n.sendKeys(name);
        WebElement r = driver.findElement(By.id("room"));
        r.clear();
        r.sendKeys(room);
        driver.findElement(By.id("join")).click();
        awaitStatus("connected");
        until(name + " among the members", d -> members().contains(name));
    }

    /** Types a message and presses Send; returns the new row's data-id (the message id the client chose). */
    String send(String text) {
        WebElement t = driver.findElement(By.id("text"));
        t.clear();
        t.sendKeys(text);
        driver.findElement(By.id("send")).click();
        return until("a row for the message just sent", d -> {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) js("return [...document.querySelectorAll('#messages li[data-state]')]"
                    + ".filter(li => li.querySelector('.msg-text').textContent === arguments[0]).map(li => li.dataset.id)", text);
            return ids.size() == 1 ? ids.get(0) : null;
        });
    }

    /** data-seq of every row, top to bottom. */
    List<Long> seqs() {
        @SuppressWarnings("unchecked")
        List<Long> seqs = (List<Long>) js(
                "return [...document.querySelectorAll('#messages li[data-seq]')].map(li => Number(li.dataset.seq))");
        return seqs;
    }

    long lastSeq() {
        List<Long> s = seqs();
        return s.isEmpty() ? 0 : s.get(s.size() - 1);
    }

    /** Rows carrying this message id (the page must show each message once). */
    List<WebElement> rows(String id) {
        return driver.findElements(By.cssSelector("#messages li[data-id='" + id + "']"));
    }

    /** data-state of our own message: pending, acked or failed. */
    String stateOf(String id) {
        List<WebElement> r = rows(id);
        return r.isEmpty() ? null : r.get(0).getAttribute("data-state");
    }

    long seqOf(String id) {
        return Long.parseLong(rows(id).get(0).getAttribute("data-seq"));
    }

    String textOf(long seq) {
        return driver.findElement(By.cssSelector("#messages li[data-seq='" + seq + "'] .msg-text")).getText();
    }

    String status() {
        return driver.findElement(By.id("status")).getText();
    }

    void awaitStatus(String word) {
        until("the status to say " + word, d -> status().contains(word));
    }

    List<String> members() {
        @SuppressWarnings("unchecked")
        List<String> users = (List<String>) js("return [...document.querySelectorAll('#members li')].map(li => li.dataset.user)");
        return users;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    <T> T until(String what, Function<WebDriver, T> condition) {
        WebDriverWait w = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
        w.ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w.withMessage(what).until(condition);
    }
}
