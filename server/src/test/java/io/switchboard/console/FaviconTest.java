package io.switchboard.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The site icon: /favicon.ico (asked for by every browser) and the SVG that the console and the demo page link. */
@Timeout(30)
class FaviconTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern ICON_LINK = Pattern.compile("<link rel=\"icon\" href=\"([^\"]+)\" type=\"([^\"]+)\">");
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("demo", "true"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    }

    @Test
    void faviconIcoIsAnIconFromTheJar() throws Exception {
        HttpResponse<byte[]> r = get("/favicon.ico");
        assertEquals(200, r.statusCode());
        assertEquals("image/x-icon", contentType(r));
        assertArrayEquals(new byte[] {0, 0, 1, 0}, Arrays.copyOf(r.body(), 4), "an ICO header");
        assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("max-age"), r.headers().toString());
    }

    @Test
    void theConsoleAndTheDemoPageLinkAnIconThatIsServed() throws Exception {
        for (String page : new String[] {"/console/", "/chat/"}) {
            HttpResponse<byte[]> html = get(page);
            assertEquals(200, html.statusCode(), page);
            Matcher link = ICON_LINK.matcher(new String(html.body(), StandardCharsets.UTF_8));
            assertTrue(link.find(), page + " links an icon");
            HttpResponse<byte[]> icon = get(link.group(1));
            assertEquals(200, icon.statusCode(), page + " → " + link.group(1));
            assertEquals(link.group(2), contentType(icon), page + " → " + link.group(1));
            assertTrue(new String(icon.body(), StandardCharsets.UTF_8).startsWith("<svg"), "an SVG document");
        }
    }
}
