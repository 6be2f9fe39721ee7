package io.switchboard.console;

import io.switchboard.testing.Browser;
import io.switchboard.testing.TestServer;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** One server and one headless Chromium per test class, and fresh chat clients for every test. */
abstract class ConsoleTestBase {
    static TestServer server;
    static Browser browser;
    Clients clients;

    /** Settings ({@code key=value}) for the server of the test class that carries it. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface ServerSettings {
        String[] value();
    }

    // The one start for every subclass: a subclass that hid it with its own @BeforeAll got both run, and the
    // first server and browser were never closed.
    @BeforeAll
    static void start(TestInfo info) {
        Browser.requireChromium();
        server = TestServer.start(settingsOf(info.getTestClass().orElseThrow()));
        browser = Browser.open(server);
    }

    private static Map<String, String> settingsOf(Class<?> testClass) {
        Map<String, String> settings = new HashMap<>();
        ServerSettings annotated = testClass.getAnnotation(ServerSettings.class);
        if (annotated != null) {
            for (String pair : annotated.value()) {
                int eq = pair.indexOf('=');
                settings.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return settings;
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
