package io.switchboard.console;

import io.switchboard.testing.Browser;
import io.switchboard.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One server and one headless Chromium per test class, and fresh chat clients for every test. */
abstract class ConsoleTestBase {
    static TestServer server;
    static Browser browser;
    Clients clients;

    @BeforeAll
    static void start() {
        Browser.requireChromium();
        server = TestServer.start();
        browser = Browser.open(server);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void openClients() {
        clients = new Clients(server);
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }
}
