package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

/** The dashboard's charts follow the server's once-a-second stats, and the whole console runs under the strict CSP. */
@Timeout(120)
class ConsoleDashboardTest extends ConsoleTestBase {
    static final List<String> CHARTS = List.of("chart-connections", "chart-messages", "chart-deliveries", "chart-latency", "chart-heap");

    /** {labels: n, in: sum of messages in per second, out: sum of messages out per second} of the messages chart. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> messagesChart() {
        return (Map<String, Object>) browser.js("const c = Chart.getChart('chart-messages');"
                + "if (!c) return null;"
                + "const sum = a => a.reduce((x, y) => x + y, 0);"
                + "return {labels: c.data.labels.length, in: sum(c.data.datasets[0].data), out: sum(c.data.datasets[1].data),"
                + " names: c.data.datasets.map(d => d.label)};");
    }

    @Test
    void theMessagesChartMovesWhenTrafficFlows() {
        browser.signIn(server.adminToken(), "#/dashboard");
        for (String id : CHARTS) {
            assertEquals(Boolean.TRUE, browser.js("return Chart.getChart(arguments[0]) !== undefined", id), id);
        }
        Map<String, Object> before = browser.until("a first point", d -> {
            Map<String, Object> m = messagesChart();
            return m != null && ((Number) m.get("labels")).longValue() >= 1 ? m : null;
        });
        assertEquals(List.of("In", "Out"), before.get("names"));
        assertEquals(0.0, ((Number) before.get("in")).doubleValue(), "no traffic yet: " + before);

        try (Clients clients = new Clients(server)) {
            Clients.Client sam = clients.connect("sam", null);
            Clients.Client tea = clients.connect("tea", null);
            Clients.join(sam.ws(), "busy");
            Clients.join(tea.ws(), "busy");
            for (int i = 0; i < 10; i++) Clients.say(sam.ws(), "busy", "message " + i);

            Map<String, Object> after = browser.until("the chart to show the traffic", d -> {
                Map<String, Object> m = messagesChart();
                return ((Number) m.get("in")).doubleValue() > 0 && ((Number) m.get("out")).doubleValue() > 0 ? m : null;
            });
            assertTrue(((Number) after.get("labels")).longValue() > ((Number) before.get("labels")).longValue(), after.toString());
            browser.until("the connections headline", d -> d.findElement(By.id("stat-connections")).getText().equals("2"));
        }
        browser.until("the node and version from /api/v1/info",
                d -> d.findElement(By.id("stat-node")).getText().equals(server.server().node().id()));
        assertEquals("installation " + server.server().installationId(), browser.driver.findElement(By.id("stat-node"))
                .findElement(By.xpath("following-sibling::span[@class='stat-note']")).getText());
    }

    @Test
    void aSignInAfterTheServerHasRunForAWhileShowsChartsFilledAtOnce() {
        Await.until("six stats ticks on the server", Duration.ofSeconds(15),
                () -> server.server().liveFeed().history().size() >= 6);
        browser.signIn(server.adminToken(), "#/dashboard");
        // One tick a second: without the server's history the charts would need five more seconds for five points.
        for (String id : CHARTS) {
            long points = browser.until(id + " filled from the snapshot", Duration.ofMillis(1500), d -> {
                Object n = browser.js("const c = Chart.getChart(arguments[0]);"
                        + "return c && c.data.labels.length === c.data.datasets[0].data.length ? c.data.labels.length : 0", id);
                return ((Number) n).longValue() >= 6 ? ((Number) n).longValue() : null;
            });
            assertTrue(points <= 120, id + " keeps at most two minutes: " + points);
        }
        assertEquals(Boolean.TRUE, browser.js("return [...document.querySelectorAll('.chart-empty')]"
                + ".filter(e => e.textContent.startsWith('Waiting')).every(e => e.hidden)"), "no chart waits for figures");
    }

    @Test
    void everyViewRunsUnderTheContentSecurityPolicyWithoutScriptErrors() {
        browser.signIn(server.adminToken(), "#/dashboard");
        browser.severeLogs(); // drop what the sign-in itself logged (the 401 of the session probe)
        for (String route : List.of("#/dashboard", "#/nodes", "#/connections", "#/rooms", "#/rooms/lobby", "#/broadcast", "#/bans", "#/audit")) {
            browser.go(route);
            browser.until("the live stream on " + route, d -> "live".equals(d.findElement(By.id("live-status")).getText()));
        }
        List<String> problems = browser.severeLogs().stream()
                .filter(m -> m.contains("Content Security Policy") || m.contains("Uncaught") || m.contains("TypeError"))
                .toList();
        assertEquals(List.of(), problems);
        assertEquals(Boolean.TRUE, browser.js("return document.querySelectorAll('[style]').length === 0 "
                + "|| [...document.querySelectorAll('[style]')].every(e => e.tagName === 'CANVAS')"),
                "no inline style attributes except the ones Chart.js sets on canvases");
    }
}
