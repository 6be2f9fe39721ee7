package io.switchboard.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URI;
import java.time.Instant;
import java.util.Date;

/** What differs between talking to Switchboard and to the baseline: the URL, the handshake and the frames. */
interface Wire {
    /** The URL {@code conn} connects to (for Switchboard with a freshly minted token). */
    URI uri(int port, Conn conn);

    /** The WebSocket is open. */
    void opened(Conn conn);

    /** A text frame arrived. */
    void received(Conn conn, String frame);

    /** The frame that sends {@code text} into the connection's room. */
    String roomMessage(Conn conn, long sentNanos, String text);

    /** The frame that sends {@code text} to user {@code to}. */
    String directMessage(Conn conn, String to, long sentNanos, String text);

    boolean supportsDirect();

    /** Counts a Switchboard {@code error} frame by its code; before the connection is ready it is a connect failure. */
    static void error(Conn conn, String frame, Stats stats) {
        String code = Frames.field(frame, "code");
        stats.error(code == null ? "unknown" : code);
        if (!conn.ready.isDone()) conn.failed(new IllegalStateException("error_" + code));
    }

    /**
     * Switchboard's JSON protocol (docs/protocol.md): authenticate with an HS256 JWT at the upgrade, wait for
     * {@code welcome}, {@code join} the room, ready on {@code joined}. Message ids carry the send time, so the
     * {@code ack} gives the store-and-acknowledge latency as well.
     */
    final class Switchboard implements Wire {
        private final Algorithm algorithm;

        Switchboard(String jwtSecret) {
            this.algorithm = Algorithm.HMAC256(jwtSecret);
        }

        String token(String user) {
            Instant now = Instant.now();
            return JWT.create().withIssuer("switchboard").withSubject(user)
                    .withIssuedAt(Date.from(now)).withExpiresAt(Date.from(now.plusSeconds(6 * 3600))).sign(algorithm);
        }

        @Override
        public URI uri(int port, Conn conn) {
            return URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token(conn.user));
        }

        @Override
        public void opened(Conn conn) {
            // wait for welcome: the server's first frame
        }

        @Override
        public void received(Conn conn, String frame) {
            Stats stats = conn.stats;
            switch (Frames.type(frame)) {
                case "message" -> {
                    if (conn.trackSeq) {
                        long seq = Frames.seq(frame);
                        if (seq > conn.seenSeq) conn.seenSeq = seq;
                    }
                    stats.delivered(Frames.markerNanos(frame), Stats.crossing(conn.node, Frames.senderNode(frame)));
                }
                case "dm" -> stats.delivered(Frames.markerNanos(frame));
                case "ack" -> stats.acked(Frames.ackNanos(frame));
                case "presence" -> stats.presence.increment();
                case "welcome" -> {
                    conn.connectionId = Frames.field(frame, "connectionId");
                    if (conn.room == null) conn.markReady();
                    else conn.control("{\"type\":\"join\",\"room\":\"" + conn.room + "\"}");
                }
                case "joined" -> {
                    // Where the connection stands in the room, for a later resume (docs/protocol.md, "Resume").
                    conn.epoch = Frames.field(frame, "epoch");
                    long seq = Frames.seq(frame);
                    if (seq > conn.seenSeq) conn.seenSeq = seq;
                    conn.markReady();
                }
                case "error" -> Wire.error(conn, frame, stats);
                default -> stats.other.increment();
            }
        }

        @Override
        public String roomMessage(Conn conn, long sentNanos, String text) {
            return "{\"type\":\"send\",\"room\":\"" + conn.room + "\",\"id\":\"a" + sentNanos + "\",\"text\":\"" + text + "\"}";
        }

        @Override
        public String directMessage(Conn conn, String to, long sentNanos, String text) {
            return "{\"type\":\"dm\",\"to\":\"" + to + "\",\"id\":\"a" + sentNanos + "\",\"text\":\"" + text + "\"}";
        }

        @Override
        public boolean supportsDirect() {
            return true;
        }
    }

    /** The baseline's protocol: {@code join:<room>}, answered {@code joined:<room>}; then raw text, broadcast as-is. */
    final class Baseline implements Wire {
        @Override
        public URI uri(int port, Conn conn) {
            return URI.create("ws://127.0.0.1:" + port + "/ws");
        }

        @Override
        public void opened(Conn conn) {
            conn.control(BaselineServer.JOIN + conn.room);
        }

        @Override
        public void received(Conn conn, String frame) {
            if (frame.startsWith(Frames.MARKER)) conn.stats.delivered(Frames.markerNanos(frame));
            else if (frame.startsWith(BaselineServer.JOINED)) conn.markReady();
            else conn.stats.other.increment();
        }

        @Override
        public String roomMessage(Conn conn, long sentNanos, String text) {
            return text;
        }

        @Override
        public String directMessage(Conn conn, String to, long sentNanos, String text) {
            throw new UnsupportedOperationException("the baseline has no direct messages");
        }

        @Override
        public boolean supportsDirect() {
            return false;
        }
    }
}
