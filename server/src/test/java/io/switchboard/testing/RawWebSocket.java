package io.switchboard.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client written on a plain socket, for tests that need a peer no WebSocket library would be: one that
 * reads what the server sends but never answers a ping, so that the only bytes it ever sends are the ones a test
 * writes explicitly. Records when it last wrote, so that timing assertions can be measured from the client's last
 * byte.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One frame from the server: its opcode, payload (as sent: compressed when {@code rsv1} is set on a message
     * under permessage-deflate) and whether its RSV1 bit was set.
     */
    public record Frame(int opcode, byte[] payload, boolean rsv1) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame (1005 when it carries none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile long lastWriteNanos;
    private String upgradeResponse;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection and performs the HTTP/1.1 upgrade; fails unless the server answers 101. */
    public static RawWebSocket connect(URI uri) {
        return connect(uri, null);
    }

    /**
     * As {@link #connect(URI)}, offering these extensions ({@code Sec-WebSocket-Extensions}) unless null. Frames are
     * read as they come: this client inflates nothing.
     */
    public static RawWebSocket connect(URI uri, String extensions) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            RawWebSocket ws = new RawWebSocket(s);
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            ws.write(request.getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            String head = ws.readHead();
            if (!head.startsWith("HTTP/1.1 101")) throw new IllegalStateException("upgrade refused: " + head);
            ws.upgradeResponse = head;
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException("connect to " + uri + " failed", e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed during the upgrade: " + head);
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The value of a header of the server's 101 answer (name case-insensitive), or null when it has none. */
    public String responseHeader(String name) {
        for (String line : upgradeResponse.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    /** Sends one masked text frame (as every client frame must be). */
    public void sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) throw new IllegalArgumentException("short frames only");
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) (0x80 | TEXT);
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        write(frame);
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            lastWriteNanos = System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link System#nanoTime()} when this client last wrote anything to the socket. */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /**
     * The next frame from the server, waiting at most {@code timeout}; null when none arrived in time.
     *
     * @throws EOFException when the server closed the TCP connection
     */
    public Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b0;
        try {
            b0 = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (b0 < 0) throw new EOFException("server closed the connection");
        socket.setSoTimeout(10_000); // the rest of a frame follows at once
        int b1 = readByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | readByte();
        }
        if ((b1 & 0x80) != 0) throw new IOException("server frames must not be masked");
        return new Frame(b0 & 0x0f, in.readNBytes((int) len), (b0 & 0x40) != 0);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("server closed the connection mid-frame");
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
