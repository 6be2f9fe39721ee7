package io.switchboard.chat;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Connection ids: 12 characters of the URL-safe Base64 alphabet ({@code A-Z a-z 0-9 - _}), 72 random bits from a
 * CSPRNG, so that knowing one id tells nothing about another. Each thread has its own DRBG instance, seeded from the
 * operating system once: a connect storm on many Jetty threads neither contends on one shared generator nor reads
 * the system's entropy source per connection.
 */
public final class ConnectionIds {
    /** Length of every id, in characters. */
    public static final int LENGTH = 12;
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ConnectionIds::newGenerator);

    private ConnectionIds() {}

    /** A fresh id; callable from any thread. */
    public static String next() {
        byte[] b = new byte[9]; // 72 bits = 12 six-bit characters
        RANDOM.get().nextBytes(b);
        char[] out = new char[LENGTH];
        for (int i = 0, o = 0; i < b.length; i += 3) {
            int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
            out[o++] = ALPHABET[v >>> 18 & 63];
            out[o++] = ALPHABET[v >>> 12 & 63];
            out[o++] = ALPHABET[v >>> 6 & 63];
            out[o++] = ALPHABET[v & 63];
        }
        return new String(out);
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG"); // seeded from the system's entropy source on first use
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
