package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Backlogs larger than an outbox arrive whole and in order; epochs change exactly when the store cannot vouch. */
@Timeout(90)
class CatchUpAndEpochTest {

    private static WsClient online(TestServer server, String user) {
        return WsClient.connected(server.ws(server.token(user)));
    }

    @Test
    void aJoinReplayLargerThanTheOutboxArrivesWholeThenLiveMessagesFollow(@TempDir Path dir) {
        int n = 300;
        try (TestServer server = TestServer.start(dir, Map.of("limits.outbox.frames", "64", "db.batch.size", "16",
                "limits.rate", "5000", "limits.burst", "5000"))) {
            try (WsClient writer = online(server, "cu-writer")) {
                writer.join("cu-room");
                for (int i = 0; i < n; i++) writer.send("type", "send", "room", "cu-room", "id", "m" + i, "text", "t" + i);
                for (int i = 0; i < n; i++) writer.await("ack");
                try (WsClient reader = online(server, "cu-reader")) {
                    reader.send("type", "join", "room", "cu-room", "id", "j", "since", 0);
                    JsonNode joined = reader.await("joined");
                    assertEquals(n, joined.get("replayed").asInt());
                    writer.send("type", "send", "room", "cu-room", "id", "live", "text", "live one");
                    for (int seq = 1; seq <= n + 1; seq++) {
                        JsonNode m = reader.await("message");
                        assertEquals(seq, m.get("seq").asLong(), "gap-free and in order through the pages into live");
                    }
                    assertTrue(reader.isOpen(), "never closed as a slow consumer");
                }
            }
        }
    }

    @Test
    void joinedCarriesTheEpochAndAPositionFromAnotherEpochReplaysNothing(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, Map.of())) {
            try (WsClient c = WsClient.connect(server.ws(server.token("ep-a")))) {
                String epoch = c.await("welcome").path("dms").path("epoch").asText();
                JsonNode joined = c.join("ep-room");
                assertEquals(epoch, joined.get("epoch").asText());
                c.say("ep-room", "one");
                c.say("ep-room", "two");
            }
            try (WsClient c = online(server, "ep-b")) {
                c.send("type", "join", "room", "ep-room", "id", "j1", "since", 0, "epoch", "another");
                JsonNode joined = c.await("joined");
                assertEquals(0, joined.get("replayed").asInt());
                assertEquals(2, joined.get("seq").asLong());
                c.roundTrip();
                c.send("type", "leave", "room", "ep-room", "id", "l");
                c.await("left");
                c.send("type", "join", "room", "ep-room", "id", "j2", "since", 0, "epoch", joined.get("epoch").asText());
                assertEquals(2, c.await("joined").get("replayed").asInt());
            }
        }
    }

    @Test
    void theEpochSurvivesCleanStopsAndProcessCrashesButChangesAfterAnUncleanStopAndAReboot(@TempDir Path dir) throws Exception {
        String first;
        TestServer server = TestServer.start(dir, Map.of());
        first = epoch(server);
        server.close();

        server = TestServer.start(dir, Map.of());
        assertEquals(first, epoch(server), "a clean stop keeps the epoch");
        server.close();

        markLastRun(dir, "running", currentBoot()); // what a kill -9 leaves: the same boot, acked commits in the OS
        server = TestServer.start(dir, Map.of());
        assertEquals(first, epoch(server), "a crash of the process alone keeps the epoch (commits reached the OS)");
        server.close();

        markLastRun(dir, "running", "a-boot-before-a-power-loss");
        server = TestServer.start(dir, Map.of());
        String after = epoch(server);
        assertNotEquals(first, after, "an unclean stop and a reboot since: the store cannot vouch for what clients saw");
        server.close();
    }

    @Test
    void anOperatorResetsTheEpochAfterRestoringABackupButNotUnderALiveServer(@TempDir Path dir) {
        TestServer server = TestServer.start(dir, Map.of());
        String before = epoch(server);
        try (io.switchboard.SwitchboardProcess refused = io.switchboard.SwitchboardProcess.start(
                "reset-epoch", "--data-dir", dir.toString())) {
            assertEquals(1, refused.awaitExit(java.time.Duration.ofSeconds(60)), refused.output());
            assertTrue(refused.output().contains("data dir"), refused.output());
        }
        server.close();
        String printed;
        try (io.switchboard.SwitchboardProcess reset = io.switchboard.SwitchboardProcess.start(
                "reset-epoch", "--data-dir", dir.toString())) {
            assertEquals(0, reset.awaitExit(java.time.Duration.ofSeconds(60)), reset.output());
            printed = reset.output();
        }
        server = TestServer.start(dir, Map.of());
        String after = epoch(server);
        server.close();
        assertNotEquals(before, after);
        assertTrue(printed.contains("New epoch " + after), printed);
    }

    private static String epoch(TestServer server) {
        try (WsClient c = WsClient.connect(server.ws(server.token("ep-probe")))) {
            return c.await("welcome").path("dms").path("epoch").asText();
        }
    }

    private static String currentBoot() throws Exception {
        return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    }

    /** Rewrites the run marker of a stopped server's embedded database. */
    private static void markLastRun(Path dir, String state, String boot) throws Exception {
        try (var db = DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("switchboard"), "sa", "")) {
            for (String[] kv : new String[][] {{"run.state", state}, {"run.boot", boot}}) {
                try (PreparedStatement ps = db.prepareStatement("UPDATE store_state SET val = ? WHERE name = ?")) {
                    ps.setString(1, kv[1]);
                    ps.setString(2, kv[0]);
                    assertEquals(1, ps.executeUpdate());
                }
            }
        }
    }
}
