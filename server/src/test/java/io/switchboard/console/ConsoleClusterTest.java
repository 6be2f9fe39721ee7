package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.Browser;
import io.switchboard.testing.Postgres;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console of node A sees and acts on node B: two real nodes in this JVM on one real PostgreSQL and one real
 * Redis, a real headless Chromium signed in to A, and real WebSocket clients connected to B only.
 */
@Timeout(180)
class ConsoleClusterTest {
    /** Deadlines, not sleeps: generous because the nodes, Redis, PostgreSQL and Chromium share a small machine. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    static Postgres postgres;
    static RedisServer redis;
    static TestServer a;
    static TestServer b;
    static Browser browser;
    private final List<WsClient> opened = new ArrayList<>();

    @BeforeAll
    static void cluster() {
        Browser.requireChromium();
        postgres = Postgres.start();
        redis = RedisServer.start();
        a = TestServer.start(settings("node-a"));
        b = TestServer.start(settings("node-b"));
        Await.until("each node hears the other", Duration.ofSeconds(60), () -> nodeCount(a) == 2 && nodeCount(b) == 2);
        browser = Browser.open(a);
    }

    private static int nodeCount(TestServer n) {
        var r = n.get("/api/v1/nodes", "Authorization", "Bearer " + n.adminToken());
        try {
            return r.statusCode() == 200 ? WsClient.JSON.readTree(r.body()).path("items").size() : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static Map<String, String> settings(String id) {
        Map<String, String> c = new HashMap<>();
        c.put("db.url", postgres.jdbcUrl());
        c.put("db.user", Postgres.USER);
        c.put("redis.url", redis.url());
        c.put("node.id", id);
        c.put("jwt.secret", "console-cluster-test-secret-console-cluster");
        c.put("admin.token", "console-cluster-admin-token-0123456789");
        // A node is dropped from the list after three info intervals plus this: a loaded machine must not make the
        // other node vanish between two refreshes.
        c.put("redis.timeout", "5s");
        return c;
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (b != null) b.close();
        if (a != null) a.close();
        if (redis != null) redis.close();
        if (postgres != null) postgres.close();
    }

    @AfterEach
    void closeClients() {
        opened.forEach(WsClient::close);
        opened.clear();
        Await.until("both nodes to drop every test connection", WAIT,
                () -> a.server().hub().connectionCount() == 0 && b.server().hub().connectionCount() == 0);
    }

    /** A client on node B, welcomed (so B has registered it); returns it and its connection id. */
    private Map.Entry<WsClient, String> connectToB(String user) {
        WsClient ws = WsClient.connect(b.ws(b.token(user)));
        opened.add(ws);
        return Map.entry(ws, ws.await("welcome").path("connectionId").asText());
    }

    private static By nodeRow(String node) {
        return By.cssSelector("table#nodes tr[data-node='" + node + "']");
    }

    private static String nodeCell(String node, String column) {
        return browser.driver.findElement(nodeRow(node)).findElement(By.cssSelector("td[data-col='" + column + "']")).getText();
    }

    private static By connectionRow(String id) {
        return By.cssSelector("table#connections tr[data-id='" + id + "']");
    }

    @Test
    void theNodesPageOfOneNodeListsBothWithLiveConnectionCounts() {
        browser.signIn(a.adminToken(), "#/nodes");
        browser.await(nodeRow("node-a"));
        browser.await(nodeRow("node-b"));
        assertEquals(List.of("node-a", "node-b"), browser.driver.findElements(By.cssSelector("table#nodes tbody tr")).stream()
                .map(tr -> tr.getDomAttribute("data-node")).toList(), "this node first, then the others");
        assertEquals("true", browser.driver.findElement(nodeRow("node-a")).getDomAttribute("data-self"));
        assertEquals("false", browser.driver.findElement(nodeRow("node-b")).getDomAttribute("data-self"));
        assertTrue(browser.driver.findElement(nodeRow("node-b")).findElements(By.cssSelector(".self-badge"))
                .stream().noneMatch(WebElement::isDisplayed), "only this node is marked");
        // Connections of the tests before this one may still be counted until the next node info: wait them out.
        browser.until("node B without connections", WAIT, d -> nodeCell("node-b", "connections").equals("0"));
        assertEquals("ready", browser.driver.findElement(nodeRow("node-b")).findElement(By.cssSelector("td[data-col='health'] .badge")).getText());
        assertEquals(b.server().node().address(), nodeCell("node-b", "address"));

        connectToB("far-1");
        browser.until("node B's count to reach 1", WAIT, d -> nodeCell("node-b", "connections").equals("1"));
        assertEquals("0", nodeCell("node-a", "connections"));
        browser.until("the totals", WAIT, d -> d.findElement(By.id("nodes-summary")).getText().equals("2 nodes, 1 connection in all."));

        // The dashboard counts the cluster, and says which figures are this node's.
        browser.go("#/dashboard");
        browser.until("two nodes", WAIT, d -> d.findElement(By.id("stat-nodes")).getText().equals("2"));
        browser.until("B's connection in the cluster's count", WAIT, d -> d.findElement(By.id("stat-connections")).getText().equals("1"));
        assertEquals("0 on this node", browser.driver.findElement(By.id("stat-connections"))
                .findElement(By.xpath("following-sibling::span[@class='stat-note']")).getText());
        assertTrue(browser.driver.findElement(By.id("dashboard-scope")).getText().contains("all 2 nodes"));
    }

    @Test
    void theConnectionsPageOfAShowsBsConnectionAndAKickFromAClosesItWith4004() {
        Map.Entry<WsClient, String> far = connectToB("far-2");
        browser.signIn(a.adminToken(), "#/nodes");
        // From node B's row to the Connections page filtered by node B.
        browser.await(nodeRow("node-b")).findElement(By.cssSelector("a.node-connections")).click();
        WebElement tr = browser.await(connectionRow(far.getValue()));
        assertEquals("node-b", tr.findElement(By.cssSelector("td[data-col='node']")).getText());
        assertEquals("far-2", tr.findElement(By.cssSelector("td[data-col='user']")).getText());
        assertEquals("node-b", browser.driver.findElement(By.id("filter-node")).getDomProperty("value"));

        tr.findElement(By.cssSelector("button.kick")).click();
        browser.await(By.id("kick-reason")).sendKeys("from the other node");
        browser.driver.findElement(By.id("kick-confirm")).click();

        assertEquals("from the other node", far.getKey().await("kicked").path("reason").asText());
        assertEquals(4004, far.getKey().awaitClose().code());
        browser.until("the result in words", d -> d.findElement(By.id("connections-status")).getText().contains("Kicked connection"));
        browser.until("the row to go", d -> d.findElements(connectionRow(far.getValue())).isEmpty());
    }

    @Test
    void kickUserBanAndBroadcastFromAReachAConnectionOnB() {
        // Broadcast to everyone.
        WsClient listener = connectToB("far-3").getKey();
        browser.signIn(a.adminToken(), "#/broadcast");
        new Select(browser.await(By.id("broadcast-target"))).selectByValue("all");
        browser.driver.findElement(By.id("broadcast-text")).sendKeys("maintenance <i>soon</i>");
        browser.driver.findElement(By.id("broadcast-send")).click();
        browser.until("the reach counted over both nodes",
                d -> d.findElement(By.id("confirm-text")).getText().contains("1 connection open now"));
        browser.await(By.id("confirm-ok")).click();
        browser.until("the result", d -> d.findElement(By.id("broadcast-result")).getText().equals("Reached 1 connection (everyone)."));
        assertEquals("maintenance <i>soon</i>", listener.await("system").path("text").asText());

        // Kick every connection of a user.
        Map.Entry<WsClient, String> target = connectToB("far-4");
        browser.go("#/connections");
        browser.await(connectionRow(target.getValue())).findElement(By.cssSelector("button.kick-user")).click();
        browser.until("the count of the user's connections across nodes",
                d -> d.findElement(By.id("kick-target")).getText().contains("1 connection open now"));
        browser.driver.findElement(By.id("kick-confirm")).click();
        assertEquals(4004, target.getKey().awaitClose().code());
        browser.until("the result", d -> d.findElement(By.id("connections-status")).getText().equals("Kicked 1 connection of far-4."));

        // Ban.
        WsClient banned = connectToB("far-5").getKey();
        browser.go("#/bans");
        browser.await(By.id("ban-user")).sendKeys("far-5");
        browser.driver.findElement(By.id("ban-reason")).sendKeys("spam");
        browser.driver.findElement(By.id("ban-submit")).click();
        browser.await(By.id("confirm-ok")).click();
        WsClient.Closed closed = banned.awaitClose();
        assertEquals(4003, closed.code(), closed.toString());
        WsClient again = WsClient.connect(b.ws(b.token("far-5")));
        opened.add(again);
        assertEquals(4003, again.awaitClose().code(), "refused at B too");
        liftBan("far-5");
    }

    private static void liftBan(String user) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var r = http.send(java.net.http.HttpRequest.newBuilder(a.http("/api/v1/bans/" + user))
                    .header("Authorization", "Bearer " + a.adminToken()).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
