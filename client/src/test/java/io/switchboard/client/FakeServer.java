package io.switchboard.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted WebSocket server on loopback for the client's unit tests: the test accepts each connection, reads
 * the client's frames and answers by hand, so it can stay silent, drop acks, reorder seqs or close with any code.
 * Speaks just enough RFC 6455: the handshake, unfragmented text frames, close, ping and pong.
 */
final class FakeServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ServerSocket socket;
    private final LinkedBlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();
    private final CopyOnWriteArrayList<Peer> peers = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fake-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/ws");
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Peer p = new Peer(s);
                peers.add(p);
                accepted.add(p);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The next connection (after its handshake), waiting up to {@code timeout}. */
    Peer accept(Duration timeout) throws InterruptedException {
        Peer p = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (p == null) throw new AssertionError("no connection within " + timeout);
        return p;
    }

    Peer accept() throws InterruptedException {
        return accept(WAIT);
    }

    /**
     * Accepts a connection and sends it a welcome with this heartbeat (seconds), generous limits (history pages of
     * at most 3) and an empty direct-message stream in epoch "e0".
     */
    Peer acceptWelcomed(String user, int heartbeatSeconds) throws InterruptedException {
        return acceptWelcomed(user, heartbeatSeconds, 0, "e0");
    }

    /** Like {@link #acceptWelcomed(String, int)}, with the DM stream at {@code dmSeq} in {@code dmEpoch}. */
    Peer acceptWelcomed(String user, int heartbeatSeconds, long dmSeq, String dmEpoch) throws InterruptedException {
        Peer p = accept();
        p.send("{\"type\":\"welcome\",\"connectionId\":\"c" + peers.size() + "\",\"user\":\"" + user
                + "\",\"serverTime\":1,\"heartbeat\":" + heartbeatSeconds + ",\"limits\":{\"frameBytes\":16384,"
                + "\"textChars\":100,\"ratePerSecond\":1000,\"burst\":1000,\"roomsPerConnection\":50,\"historyPageMax\":3},"
                + "\"dms\":{\"seq\":" + dmSeq + ",\"epoch\":\"" + dmEpoch + "\"}}");
        return p;
    }

    /** No further connection arrives within {@code quiet}. */
    boolean noConnectionWithin(Duration quiet) throws InterruptedException {
        Peer p = accepted.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        return p == null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Peer p : peers) p.kill();
    }

    /** One client connection. */
    static final class Peer {
        final Map<String, String> headers = new HashMap<>();
        /** The request's query parameters (decoded), e.g. dmSince and dmEpoch. */
        final Map<String, String> query = new HashMap<>();
        private final Socket socket;
        private final OutputStream out;
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private volatile Integer closeCode;
        private final java.util.concurrent.atomic.AtomicInteger pongs = new java.util.concurrent.atomic.AtomicInteger();

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            handshake(in);
            Thread reader = new Thread(() -> read(new DataInputStream(in)), "fake-server-read");
            reader.setDaemon(true);
            reader.start();
        }

        private void handshake(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("closed during handshake");
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String target = lines[0].split(" ")[1];
            int q = target.indexOf('?');
            if (q >= 0) {
                for (String pair : target.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            String accept;
            try {
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                accept = Base64.getEncoder().encodeToString(sha1.digest((headers.get("sec-websocket-key")
                        + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
            } catch (Exception e) {
                throw new IOException(e);
            }
            write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        /** The bearer token the client connected with. */
        String token() {
            String auth = headers.getOrDefault("authorization", "");
            return auth.startsWith("Bearer ") ? auth.substring(7) : auth;
        }

        private void read(DataInputStream in) {
            try {
                while (true) {
                    int b0 = in.readUnsignedByte();
                    int b1 = in.readUnsignedByte();
                    long len = b1 & 0x7f;
                    if (len == 126) len = in.readUnsignedShort();
                    else if (len == 127) len = in.readLong();
                    byte[] mask = new byte[4];
                    if ((b1 & 0x80) != 0) in.readFully(mask);
                    byte[] payload = new byte[(int) len];
                    in.readFully(payload);
                    for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
                    int opcode = b0 & 0x0f;
                    if (opcode == 1) {
                        frames.add(new String(payload, StandardCharsets.UTF_8));
                    } else if (opcode == 8) {
                        closeCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        kill();
                        return;
                    } else if (opcode == 9) {
                        frame(0xA, payload);
                    } else if (opcode == 0xA) {
                        pongs.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                kill();
            }
        }

        synchronized void send(String text) {
            frame(0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        void ping() {
            frame(0x9, new byte[0]);
        }

        /** Sends a close frame with this code and drops the connection. */
        void close(int code, String reason) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + r.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
            frame(0x8, payload);
            kill();
        }

        private synchronized void frame(int opcode, byte[] payload) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(0x80 | opcode);
            if (payload.length < 126) {
                f.write(payload.length);
            } else {
                f.write(126);
                f.write(payload.length >> 8);
                f.write(payload.length & 0xff);
            }
            f.writeBytes(payload);
            try {
                write(f.toByteArray());
            } catch (IOException e) {
                kill();
            }
        }

        private synchronized void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void kill() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }

        /** The next text frame from the client, parsed; fails after {@code timeout}. */
        JsonNode next(Duration timeout) throws Exception {
            String f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) throw new AssertionError("no frame from the client within " + timeout);
            return JSON.readTree(f);
        }

        /** The next text frame, which must be of this type. */
        JsonNode expect(String type) throws Exception {
            JsonNode f = next(WAIT);
            if (!type.equals(f.path("type").asText())) throw new AssertionError("expected a " + type + " frame, got " + f);
            return f;
        }

        /** True when the client sends nothing within {@code quiet}. */
        boolean quietFor(Duration quiet) throws InterruptedException {
            return frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS) == null;
        }

        /** Pongs the client sent (the JDK answers pings by itself). */
        int pongs() {
            return pongs.get();
        }

        Integer closeCode() {
            return closeCode;
        }

        boolean isClosed() {
            return socket.isClosed();
        }
    }
}
