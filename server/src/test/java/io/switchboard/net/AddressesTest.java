package io.switchboard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Every written form of one client address comes out as the same text, and nothing is looked up. */
class AddressesTest {

    @Test
    void ipv6IsCompressedLowerCaseAndWithoutBrackets() {
        assertEquals("::1", Addresses.normalize("[0:0:0:0:0:0:0:1]"));
        assertEquals("::1", Addresses.normalize("0:0:0:0:0:0:0:1"));
        assertEquals("::1", Addresses.normalize("::1"));
        assertEquals("2001:db8::1", Addresses.normalize("2001:0DB8:0:0:0:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.normalize("2001:db8:0:1:1:1:1:1"), "a single zero group stays");
        assertEquals("2001:db8::1:0:0:1", Addresses.normalize("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
        assertEquals("::", Addresses.normalize("0:0:0:0:0:0:0:0"));
        assertEquals("fe80::1%eth0", Addresses.normalize("[fe80:0:0:0:0:0:0:1%eth0]"), "a zone is kept");
    }

    @Test
    void ipv4MappedIpv6IsWrittenAsIpv4() {
        assertEquals("127.0.0.1", Addresses.normalize("::ffff:127.0.0.1"));
        assertEquals("10.1.2.3", Addresses.normalize("[0:0:0:0:0:ffff:a01:203]"));
        assertEquals("127.0.0.1", Addresses.normalize("127.0.0.1"));
    }

    @Test
    void socketAddressesGetTheSameFormAsRequestAddresses() throws Exception {
        assertEquals("::1", Addresses.of(new InetSocketAddress(InetAddress.getByName("::1"), 4000)));
        assertEquals("127.0.0.1", Addresses.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4000)));
        assertEquals("10.1.2.3", Addresses.of(new InetSocketAddress(InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3}), 4000)));
    }

    @Test
    void whatIsNotAnIpLiteralIsLeftAloneAndNeverResolved() {
        assertNull(Addresses.normalize(null));
        assertEquals("", Addresses.normalize(" "));
        assertEquals("localhost", Addresses.normalize("localhost"));
        assertEquals("example.invalid", Addresses.normalize("example.invalid"));
        assertEquals("1.2.3", Addresses.normalize("1.2.3"));
        assertEquals("::zz", Addresses.normalize("::zz"));
        assertEquals("12:34:56:78:9a:bc:de:f0:11", Addresses.normalize("12:34:56:78:9a:bc:de:f0:11"), "too many groups");
    }
}
