package io.switchboard.console;

import io.switchboard.testing.Browser;
import io.switchboard.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;

/**
 * Writes the README's screenshots (docs/console-*.png) from a real server with real clients and traffic. Runs only
 * with {@code -Dswitchboard.screenshots=true}, so that ordinary builds never rewrite committed files:
 * {@code mvn -pl server test -Dtest=ConsoleScreenshotsTest -Dswitchboard.screenshots=true}.
 */
@Timeout(300)
@EnabledIfSystemProperty(named = "switchboard.screenshots", matches = "true")
class ConsoleScreenshotsTest {
    private record Person(String user, String name, String room, String agent) {}

    private static final List<Person> PEOPLE = List.of(
            new Person("alice", "Alice Martin", "lobby", "SwitchboardChat/2.4 (iPhone; iOS 18.1)"),
            new Person("alice", "Alice Martin", "support", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Chrome/131.0"),
            new Person("bob", "Bob Okafor", "lobby", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"),
            new Person("carol", "Carol Tanaka", "dev", "SwitchboardChat/2.4 (Android 15; Pixel 8)"),
            new Person("dave", "Dave Kowalski", "lobby", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"),
            new Person("erin", "Erin O'Neill", "support", "SwitchboardChat/2.3 (iPad; iPadOS 17.7)"),
            new Person("farid", "Farid Haddad", "dev", "curl-bot/1.0 (+https://example.com/build-notifier)"));

    /** The repository's docs/ directory (the test runs in server/). */
    private static Path docs() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("repository root not found from " + System.getProperty("user.dir"));
        return dir.resolve("docs");
    }

    @Test
    void writeTheConsoleScreenshots() {
        Browser.requireChromium();
        Path docs = docs();
        try (TestServer server = TestServer.start(Map.of("limits.rate", "50", "limits.burst", "100"));
             Clients clients = new Clients(server);
             Browser browser = Browser.open(server)) {
            List<Clients.Client> people = PEOPLE.stream().map(p -> {
                Clients.Client c = clients.connect(p.user(), p.name(), Map.of("User-Agent", p.agent()));
                Clients.join(c.ws(), p.room());
                if (p.user().equals("bob")) Clients.join(c.ws(), "dev");
                return c;
            }).toList();

            // Traffic that rises and falls, so that the charts have a shape.
            ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
            AtomicLong tick = new AtomicLong();
            traffic.scheduleAtFixedRate(() -> {
                long t = tick.incrementAndGet();
                int burst = (int) Math.round(3 + 3 * Math.sin(t / 25.0) + (t % 7 == 0 ? 4 : 0));
                for (int i = 0; i < burst; i++) {
                    int who = (int) ((t * 7 + i * 3) % PEOPLE.size());
                    people.get(who).ws().send("type", "send", "room", PEOPLE.get(who).room(), "id", "shot-" + t + "-" + i,
                            "text", "message " + t + "." + i);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            try {
                browser.signIn(server.adminToken(), "#/dashboard");
                browser.until("a minute of chart points", Duration.ofSeconds(120), d -> ((Number) browser.js(
                        "return Chart.getChart('chart-messages').data.labels.length")).intValue() >= 60);
                browser.screenshot(docs.resolve("console-dashboard.png"));

                browser.go("#/connections");
                browser.until("every client in the table",
                        d -> d.findElements(By.cssSelector("table#connections tbody tr")).size() == PEOPLE.size());
                browser.until("the counters of the first stats tick",
                        d -> !d.findElement(By.cssSelector("table#connections tbody tr td[data-col='in']")).getText().equals("0"));
                browser.screenshot(docs.resolve("console-connections.png"));
            } finally {
                traffic.shutdownNow();
            }
        }
    }
}
