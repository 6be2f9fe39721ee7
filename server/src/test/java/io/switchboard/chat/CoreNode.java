package io.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.auth.ClientPrincipal;
import io.switchboard.broker.Broker;
import io.switchboard.config.Config;
import io.switchboard.metrics.Metrics;
import io.switchboard.presence.Presence;
import io.switchboard.protocol.FrameCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * One node's chat core without HTTP or sockets — hub, sequencer and chat service over a real store — with fake
 * connections, for fast tests of the core's rules. Several nodes on one store with {@link LinkedBrokers} act as a
 * cluster.
 */
final class CoreNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Hub hub;
    final Sequencer sequencer;
    final ChatService service;
    final Metrics metrics;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    CoreNode(DataSource db, Broker broker, Presence presence) throws Exception {
        this(db, broker, presence, null, Duration.ZERO);
    }

    /**
     * @param writers      the fan-out writer pool, or null for this node's own pool
     * @param maxFanoutLag {@code fanout.lag.max}; zero turns load shedding off
     */
    CoreNode(DataSource db, Broker broker, Presence presence, java.util.concurrent.Executor writers,
             Duration maxFanoutLag) throws Exception {
        Config config = Config.of(Map.of());
        Limits limits = Limits.from(config);
        this.metrics = new Metrics();
        FrameCodec codec = new FrameCodec(JSON);
        ChatStore store = new ChatStore(db);
        StoreEpoch epoch = StoreEpoch.open(store, true);
        Bans bans = new Bans(db);
        bans.load(System.currentTimeMillis());
        this.hub = new Hub(limits);
        this.sequencer = new Sequencer(store, hub, codec, limits, metrics, epoch, broker, presence, 256, 4096, 1024,
                writers != null ? writers : pool, 2, Duration.ofMillis(100), maxFanoutLag);
        this.service = new ChatService(hub, sequencer, store, codec, limits, pool, Duration.ofSeconds(25),
                Duration.ofSeconds(60), bans, metrics, new io.switchboard.presence.LocalConnectionRegistry());
        sequencer.start();
    }

    /** A fake connection of {@code user}, live once its welcome arrived. */
    Client connect(String user) {
        return connect(user, null);
    }

    Client connect(String user, Long dmSince) {
        FakePeer peer = new FakePeer(100_000);
        long far = System.currentTimeMillis() + 3_600_000;
        Connection c = service.open(new ClientPrincipal(user, user, null, far, far), "127.0.0.1", "core-test", peer,
                dmSince, null);
        Client client = new Client(c, peer);
        client.awaitType("welcome");
        return client;
    }

    @Override
    public void close() throws Exception {
        sequencer.drainAndStop(5_000);
        pool.shutdownNow();
    }

    /** A fake client: sends frames as text and reads what the core wrote to it. */
    final class Client {
        final Connection conn;
        final FakePeer peer;

        Client(Connection conn, FakePeer peer) {
            this.conn = conn;
            this.peer = peer;
        }

        void send(String json) {
            service.onText(conn, json);
        }

        void join(String room) {
            send("{\"type\":\"join\",\"id\":\"j-" + room + "\",\"room\":\"" + room + "\"}");
            awaitType("joined");
        }

        void leave(String room) {
            send("{\"type\":\"leave\",\"id\":\"l-" + room + "\",\"room\":\"" + room + "\"}");
        }

        /** Every frame written to this client, parsed. */
        List<JsonNode> frames() {
            List<JsonNode> out = new ArrayList<>();
            for (String f : peer.frames()) {
                try {
                    out.add(JSON.readTree(f));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + f, e);
                }
            }
            return out;
        }

        List<JsonNode> ofType(String type) {
            return frames().stream().filter(f -> type.equals(f.path("type").asText())).toList();
        }

        /** Seqs of the room messages received in {@code room}, in arrival order. */
        List<Long> seqs(String room) {
            return ofType("message").stream().filter(m -> room.equals(m.path("room").asText()))
                    .map(m -> m.path("seq").asLong()).toList();
        }

        void awaitType(String type) {
            io.switchboard.testing.Await.until(conn.user() + " receives a " + type + " frame", Duration.ofSeconds(10),
                    () -> !ofType(type).isEmpty());
        }

        void close() {
            conn.transportClosed();
        }
    }
}
