package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * One time format in the whole console, in a browser whose locale (en-US) would write 12-hour times: 24-hour
 * {@code 20:05:34} on charts and messages, {@code 2026-01-05 20:05:34} in tables (audit, bans, rooms), all from the
 * one helper in dom.js.
 */
@Timeout(120)
class ConsoleTimeFormatTest extends ConsoleTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2}");
    static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

    private static void api(String method, String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + server.adminToken()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The text (or title) of the first {@code count} matching elements, read in one go and read again when the live
     * views re-render them meanwhile (a stale element is a re-render, not a failure).
     */
    private static List<String> texts(By by, int count, boolean title) {
        return browser.until(by.toString(), d -> {
            try {
                List<WebElement> found = d.findElements(by);
                if (found.size() < count) return null;
                List<String> out = new java.util.ArrayList<>();
                for (WebElement e : found.subList(0, count)) out.add(title ? e.getDomAttribute("title") : e.getText());
                return out;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return null;
            }
        });
    }

    private static void assertFormat(Pattern format, String text, String where) {
        assertTrue(format.matcher(text.trim()).matches(), where + " shows \"" + text + "\", not " + format);
    }

    @Test
    void theHelperWritesAnEveningTimeIn24HourFormWithAndWithoutItsDate() {
        browser.signIn(server.adminToken(), "#/dashboard");
        @SuppressWarnings("unchecked")
        List<String> out = (List<String>) browser.jsAsync("const done = arguments[arguments.length - 1];"
                + "import('/console/js/dom.js').then(m => { const t = new Date(2026, 0, 5, 20, 5, 34).getTime();"
                + " done([m.fmtTime(t), m.fmtDateTime(t), m.timeEl(t).textContent, m.timeEl(t, true).textContent, m.timeEl(t).title]); })");
        assertEquals(List.of("20:05:34", "2026-01-05 20:05:34", "2026-01-05 20:05:34", "20:05:34", "2026-01-05 20:05:34"), out);
    }

    @Test
    void tablesChartsAndMessagesAllShowTheOneFormat() {
        Clients.Client eve = clients.connect("eve", null);
        Clients.join(eve.ws(), "clock");
        long seq = Clients.say(eve.ws(), "clock", "tick");
        api("POST", "/api/v1/bans", "{\"user\":\"mallory\",\"duration\":\"1h\"}");

        browser.signIn(server.adminToken(), "#/audit");
        assertFormat(DATE_TIME, texts(By.cssSelector("table#audit tbody tr td time"), 1, false).get(0), "the audit log");

        browser.go("#/bans");
        for (String t : texts(By.cssSelector("table#bans tr[data-user='mallory'] time"), 2, false)) {
            assertFormat(DATE_TIME, t, "the bans table");
        }

        browser.go("#/rooms");
        assertFormat(DATE_TIME, texts(By.cssSelector("table#rooms tr[data-room='clock'] time"), 1, false).get(0), "the rooms table");

        browser.go("#/rooms/clock");
        By messageTime = By.cssSelector("#room-messages li[data-seq='" + seq + "'] time");
        assertFormat(TIME, texts(messageTime, 1, false).get(0), "a room message");
        assertFormat(DATE_TIME, texts(messageTime, 1, true).get(0), "a room message's tooltip");

        browser.go("#/dashboard");
        @SuppressWarnings("unchecked")
        List<String> labels = browser.until("chart labels", d -> {
            List<String> l = (List<String>) browser.js("const c = Chart.getChart('chart-connections'); return c ? c.data.labels : null");
            return l != null && !l.isEmpty() ? l : null;
        });
        for (String label : labels) assertFormat(TIME, label, "the connections chart");
        String since = browser.until("the uptime note", d -> {
            String t = d.findElement(By.cssSelector("#stat-uptime + .stat-note")).getText();
            return t.startsWith("since ") ? t : null;
        });
        assertFormat(DATE_TIME, since.substring("since ".length()), "the uptime's start");
    }
}
