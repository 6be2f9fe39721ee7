package io.switchboard.admin;

import io.switchboard.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One server with default settings and an admin API client per test class; fresh chat clients for every test. */
abstract class AdminApiTestBase {
    static TestServer server;
    static AdminClient api;
    Chat chat;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        api = AdminClient.admin(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void openClients() {
        chat = new Chat(server);
    }

    @AfterEach
    void closeClients() {
        chat.close();
    }
}
