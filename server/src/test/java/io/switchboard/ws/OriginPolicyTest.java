package io.switchboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Own-origin and listed-origin checks compare scheme, host and port (RFC 6454), with default ports filled in. */
class OriginPolicyTest {
    private final OriginPolicy none = new OriginPolicy(List.of());

    @Test
    void theOwnOriginMustMatchSchemeHostAndPort() {
        assertTrue(none.allows("http://127.0.0.1:8080", "http", "127.0.0.1:8080"));
        assertFalse(none.allows("https://127.0.0.1:8080", "http", "127.0.0.1:8080"), "https origin on a plain-http server");
        assertFalse(none.allows("http://127.0.0.1:8080", "https", "127.0.0.1:8080"), "http origin on an https server");
        assertFalse(none.allows("http://127.0.0.1:8081", "http", "127.0.0.1:8080"), "another port");
        assertFalse(none.allows("http://127.0.0.1", "http", "127.0.0.1:8080"), "no port is port 80");
        assertFalse(none.allows("http://localhost:8080", "http", "127.0.0.1:8080"), "another host");
        assertFalse(none.allows("ws://127.0.0.1:8080", "http", "127.0.0.1:8080"), "not an http(s) origin");
    }

    @Test
    void defaultPortsAndCaseDoNotMatter() {
        assertTrue(none.allows("http://chat.example.com", "http", "chat.example.com:80"));
        assertTrue(none.allows("http://chat.example.com:80", "http", "chat.example.com"));
        assertTrue(none.allows("https://chat.example.com", "https", "chat.example.com:443"));
        assertFalse(none.allows("https://chat.example.com", "https", "chat.example.com:80"));
        assertTrue(none.allows("HTTP://Chat.Example.COM:8080", "http", "chat.example.com:8080"));
        assertTrue(none.allows("http://[::1]:8080", "http", "[::1]:8080"));
    }

    @Test
    void nullOriginsPathsUserInfoAndGarbageAreRefused() {
        for (String o : List.of("null", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/chat", "http://127.0.0.1:8080?x",
                "http://u@127.0.0.1:8080", "127.0.0.1:8080", "http://", "http://exa mple.com", "file://")) {
            assertFalse(none.allows(o, "http", "127.0.0.1:8080"), o);
        }
        assertFalse(none.allows("http://127.0.0.1:8080", "http", null), "no Host header: no own origin");
        assertTrue(none.allows((String) null, "http", "127.0.0.1:8080"), "no Origin: not a browser");
    }

    @Test
    void listedOriginsAreComparedTheSameWay() {
        OriginPolicy listed = new OriginPolicy(List.of("https://Chat.Example.com/", "http://localhost:3000"));
        assertTrue(listed.allows("https://chat.example.com", "http", "127.0.0.1:8080"));
        assertTrue(listed.allows("https://chat.example.com:443", "http", "127.0.0.1:8080"));
        assertFalse(listed.allows("http://chat.example.com", "http", "127.0.0.1:8080"), "listed for https only");
        assertFalse(listed.allows("https://chat.example.com:8443", "http", "127.0.0.1:8080"));
        assertTrue(listed.allows("http://localhost:3000", "http", "127.0.0.1:8080"));
        assertFalse(listed.allows("http://localhost:3001", "http", "127.0.0.1:8080"));
        assertTrue(new OriginPolicy(List.of("*")).allows("null", "http", "h"), "* allows any");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of("chat.example.com")));
        assertTrue(e.getMessage().contains("chat.example.com"), e.getMessage());
        assertEquals("http://h:80", OriginPolicy.canonical("http://H"));
    }

    @Test
    void anEmptyOriginAndSeveralOriginsAreRefusedEvenWithAStar() {
        OriginPolicy star = new OriginPolicy(List.of("*"));
        for (OriginPolicy p : List.of(none, star)) {
            assertFalse(p.allows("", "http", "127.0.0.1:8080"), "empty");
            assertFalse(p.allows(List.of(""), "http", "127.0.0.1:8080"), "empty");
            assertFalse(p.allows(List.of("http://127.0.0.1:8080", "http://127.0.0.1:8080"), "http", "127.0.0.1:8080"), "two");
            assertTrue(p.allows(List.of("http://127.0.0.1:8080"), "http", "127.0.0.1:8080"), "one own");
            assertTrue(p.allows(List.of(), "http", "127.0.0.1:8080"), "none: not a browser");
        }
    }

    @Test
    void portsMustBeWrittenCanonicallyFrom1To65535() {
        for (String o : List.of("http://127.0.0.1:018087", "http://127.0.0.1:0", "http://127.0.0.1:65536",
                "http://127.0.0.1:99999", "http://127.0.0.1:", "http://127.0.0.1:+80", "http://[::1]:08080")) {
            assertEquals(null, OriginPolicy.canonical(o), o);
            assertFalse(none.allows(o, "http", "127.0.0.1:18087"), o);
        }
        assertFalse(none.allows("http://127.0.0.1:18087", "http", "127.0.0.1:018087"), "nor in the Host header");
        assertTrue(none.allows("http://127.0.0.1:18087", "http", "127.0.0.1:18087"));
        assertEquals("http://[::1]:65535", OriginPolicy.canonical("http://[::1]:65535"));
        for (String bad : List.of("https://x.com:99999", "https://x.com:0", "https://x.com:0443", "https://x.com:")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of(bad)));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
