package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.switchboard.auth.Secrets;
import io.switchboard.logging.Redaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The leak guard itself: it catches a secret logged at any level, the extension fails the class, masking works. */
class LeakGuardTest {
    private static final Logger log = LoggerFactory.getLogger("io.switchboard.some.Component");
    private static final Logger jettyLike = LoggerFactory.getLogger("org.eclipse.jetty.server.Example");

    @Test
    void aRegisteredSecretLoggedAtTraceOrDebugIsCaughtAndReportedWithoutTheSecret() {
        LeakGuard.takeLeaks();
        String secret = LeakGuard.register(Secrets.random(32));
        log.trace("deliberately leaking {}", secret);
        jettyLike.debug("and again, inside a word: x{}y", secret);
        List<LeakGuard.Leak> leaks = LeakGuard.takeLeaks();
        assertEquals(2, leaks.size(), leaks.toString());
        assertEquals("TRACE", leaks.get(0).level());
        assertEquals("org.eclipse.jetty.server.Example", leaks.get(1).logger());
        assertFalse(leaks.toString().contains(secret), "the report must not repeat the secret");
    }

    @Test
    void aSecretInAnExceptionMessageIsCaught() {
        LeakGuard.takeLeaks();
        String secret = LeakGuard.register(Secrets.random(24));
        log.warn("failed", new IllegalStateException("while using " + secret));
        assertEquals(1, LeakGuard.takeLeaks().size());
    }

    @Test
    void credentialsInTheKnownShapesAreMaskedByTheProductionLayoutSoTheyAreNoLeak() {
        LeakGuard.takeLeaks();
        String opaque = LeakGuard.register(Secrets.random(32));
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0." + Secrets.random(32);
        long masked = LeakGuard.maskedLines();
        jettyLike.debug("REQUEST GET /ws?token={}&since=4 HTTP/1.1", opaque);
        jettyLike.debug("HttpFields: Authorization: Bearer {}\r\nCookie: sb_session={}; other=1", opaque, opaque);
        jettyLike.debug("a bare {} anywhere", jwt);
        jettyLike.debug("body {\"token\":\"{}\"}", opaque);
        assertEquals(List.of(), LeakGuard.takeLeaks());
        assertTrue(LeakGuard.maskedLines() >= masked + 4, "the four lines with a secret were masked");
        assertNotNull(LeakGuard.find(jwt), "an unregistered signed JWT counts as a secret too");
    }

    @Test
    void redactionMasksValuesAndKeepsTheRest() {
        assertEquals("GET /ws?token=[redacted]&since=4", Redaction.redact("GET /ws?token=abc.def-ghi&since=4"));
        assertEquals("Authorization: Bearer [redacted]", Redaction.redact("Authorization: Bearer s3cr3t"));
        assertEquals("authorization=[redacted], x", Redaction.redact("authorization=s3cr3t, x"));
        assertEquals("X-CSRF-Token: [redacted]", Redaction.redact("X-CSRF-Token: abc"));
        assertEquals("Cookie: sb_session=[redacted]; a=b", Redaction.redact("Cookie: sb_session=xyz; a=b"));
        assertEquals("{\"token\":\"[redacted]\",\"user\":\"u\"}", Redaction.redact("{\"token\":\"t\",\"user\":\"u\"}"));
        assertEquals("see [redacted] here", Redaction.redact("see eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln here"));
        assertEquals("jdbc:h2:file:/d/db;PASSWORD=[redacted];X=1", Redaction.redact("jdbc:h2:file:/d/db;PASSWORD=pw;X=1"));
        assertEquals("parsedHeader(Authorization: [redacted] header=Authorization, headerString=[Authorization], valueString=[[redacted]]",
                Redaction.redact("parsedHeader(Authorization: t0k3n) header=Authorization, headerString=[Authorization], valueString=[t0k3n]"));
        assertEquals("nothing secret: authorization failed", Redaction.redact("nothing secret: authorization failed"));
        assertNull(Redaction.redact(null));
    }

    @Test
    void aRegisteredSecretOrASignedJwtWrittenPercentEncodedOrJsonEscapedIsCaught() {
        LeakGuard.takeLeaks();
        String secret = LeakGuard.register(Secrets.random(32));
        StringBuilder encoded = new StringBuilder();
        for (char c : secret.toCharArray()) encoded.append(String.format("%%%02x", (int) c));
        log.debug("opaque {}", encoded);
        assertEquals(1, LeakGuard.takeLeaks().size(), "fully encoded");
        log.debug("half {}%{}", secret.substring(0, 5), Integer.toHexString(secret.charAt(5)) + secret.substring(6));
        assertEquals(1, LeakGuard.takeLeaks().size(), "one character encoded");
        log.debug("json \\u00{}{}", Integer.toHexString(secret.charAt(0)), secret.substring(1));
        assertEquals(1, LeakGuard.takeLeaks().size(), "JSON escape");
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0." + Secrets.random(32);
        // (logged, the production layout masks this one, so it is checked on the guard directly)
        assertNotNull(LeakGuard.find("path /rooms/" + jwt.replace(".", "%2E")), "a JWT with encoded dots");
        assertNotNull(LeakGuard.find("{\"a\":\"" + jwt.replace(".", "\\u002e") + "\"}"), "a JWT with JSON-escaped dots");
    }

    @Test
    void redactionMasksEncodedAndOddlyWrittenCredentials() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlc2lnbmF0dXJl";
        assertEquals("GET /api/v1/rooms/[redacted] 401", Redaction.redact("GET /api/v1/rooms/" + jwt.replace(".", "%2E") + " 401"));
        assertEquals("GET /x/[redacted]?a=1", Redaction.redact("GET /x/" + jwt.replace(".", "%2e") + "?a=1"));
        assertEquals("/ws?%74oken=[redacted]&x=1", Redaction.redact("/ws?%74oken=opaque%26still-secret&x=1"));
        assertEquals("/ws?%74%6F%6B%65%6E=[redacted] HTTP", Redaction.redact("/ws?%74%6F%6B%65%6E=%65%79%4A%61 HTTP"));
        assertEquals("/ws?token=[redacted] HTTP", Redaction.redact("/ws?token=%65%79%4A%68%62%47%63%69 HTTP"));
        assertEquals("Cookie: sb_session=\"[redacted]\"", Redaction.redact("Cookie: sb_session=\"s3ss10n\""));
        assertEquals("Cookie: sb_session = '[redacted]'", Redaction.redact("Cookie: sb_session = 's3ss10n'"));
        assertEquals("headerString=[Cookie], valueString=[[redacted]]", Redaction.redact("headerString=[Cookie], valueString=[sb_session=\"x\"]"));
        assertEquals("Authorization: bEaReR \t [redacted]", Redaction.redact("Authorization: bEaReR \t s3cr3t"));
        assertEquals("x BEARER   [redacted] y", Redaction.redact("x BEARER   s3cr3t y"));
        assertEquals("{\"\\u0074oken\":\"[redacted]\"}", Redaction.redact("{\"\\u0074oken\":\"s3cr3t\"}"));
        // A JWT whose header JSON has no quote first ({ "alg" …) or that is padded is still a JWT.
        assertEquals("a [redacted] b", Redaction.redact("a eyAiYWxnIjoiSFMyNTYiIH0.eyJzdWIiOiJ1IiwiZXhwIjoxfQ==.c2ln b"));
        assertEquals("logger io.switchboard.logging.RedactingConverter and example.exe.txt",
                Redaction.redact("logger io.switchboard.logging.RedactingConverter and example.exe.txt"));
        assertEquals("100% done, 50%2", Redaction.redact("100% done, 50%2"));
    }

    @Test
    void theTestLayoutIsTheProductionLayout() throws Exception {
        String production = pattern(Files.readString(Path.of("src/main/resources/logback.xml")));
        String test = Files.readString(Path.of("src/test/resources/logback-test.xml"));
        assertTrue(production.contains("%redact("), production);
        assertEquals(3, test.split(java.util.regex.Pattern.quote("<pattern>" + production + "</pattern>"), -1).length - 1,
                "every appender of logback-test.xml must use logback.xml's pattern");
    }

    private static String pattern(String xml) {
        return xml.substring(xml.indexOf("<pattern>") + 9, xml.indexOf("</pattern>"));
    }

    @Test
    void theExtensionFailsTheClassDuringWhichASecretWasLogged() {
        Events containers = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .selectors(selectClass(Leaky.class))
                .execute().containerEvents();
        containers.assertStatistics(s -> s.failed(1));
        Throwable why = containers.failed().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        assertTrue(why.getMessage().contains("1 log line(s) held a secret while") && why.getMessage().contains("Leaky"),
                why.getMessage());
        assertEquals(List.of(), LeakGuard.takeLeaks(), "the extension took the leak it reported");
    }

    /** Run only by the test above (disabled for the real run): its one test logs a registered secret. */
    @Disabled("run through EngineTestKit by theExtensionFailsTheClassDuringWhichASecretWasLogged")
    static class Leaky {
        @Test
        void logsASecret() {
            LoggerFactory.getLogger(Leaky.class).debug("oops {}", LeakGuard.register(Secrets.random(32)));
        }
    }
}
