package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DirectMessageTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.rate", "1000", "limits.burst", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient online(String user) {
        return WsClient.connected(server.ws(server.token(user)));
    }

    @Test
    void aDirectMessageReachesEveryConnectionOfTheRecipientAndIsAcked() {
        try (WsClient sender = online("dm-a"); WsClient phone = online("dm-b"); WsClient laptop = online("dm-b")) {
            sender.send("type", "dm", "to", "dm-b", "id", "d1", "text", "psst");
            JsonNode ack = sender.await("ack");
            assertEquals("dm-b", ack.get("to").asText());
            for (WsClient c : List.of(phone, laptop)) {
                JsonNode dm = c.await("dm");
                assertEquals("psst", dm.get("text").asText());
                assertEquals("dm-a", dm.get("from").asText());
                assertEquals(ack.get("seq").asLong(), dm.get("seq").asLong());
            }
        }
    }

    @Test
    void directMessagesToAnOfflineUserAreDeliveredInOrderOnConnectAndOnlyOnce() {
        try (WsClient sender = online("dm-sender")) {
            List<Long> acked = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sender.send("type", "dm", "to", "dm-offline", "id", "o" + i, "text", "offline " + i);
                acked.add(sender.await("ack").get("seq").asLong());
            }
            try (WsClient later = online("dm-offline")) {
                for (int i = 0; i < 5; i++) {
                    JsonNode dm = later.await("dm");
                    assertEquals("offline " + i, dm.get("text").asText());
                    assertEquals(acked.get(i), dm.get("seq").asLong());
                }
            }
            try (WsClient again = online("dm-offline")) {
                again.send("type", "ping", "id", "sync-done");
                again.await("pong");
                assertTrue(again.drain(Duration.ofMillis(200)).stream().noneMatch(f -> "dm".equals(f.path("type").asText())),
                        "delivered messages are not synced again");
            }
        }
    }

    @Test
    void aRetriedDirectMessageIsAckedAgainAndDeliveredOnce() {
        try (WsClient sender = online("dm-r1"); WsClient recipient = online("dm-r2")) {
            sender.send("type", "dm", "to", "dm-r2", "id", "again", "text", "one");
            long seq = sender.await("ack").get("seq").asLong();
            sender.send("type", "dm", "to", "dm-r2", "id", "again", "text", "one");
            JsonNode retry = sender.await("ack");
            assertEquals(seq, retry.get("seq").asLong());
            assertTrue(retry.get("duplicate").asBoolean());
            sender.send("type", "dm", "to", "dm-r2", "id", "next", "text", "two");
            assertEquals("one", recipient.await("dm").get("text").asText());
            assertEquals("two", recipient.await("dm").get("text").asText());
        }
    }

    @Test
    void directMessagesAreOrderedPerRecipient() {
        try (WsClient a = online("dm-o1"); WsClient b = online("dm-o2"); WsClient target = online("dm-target")) {
            for (int i = 0; i < 20; i++) (i % 2 == 0 ? a : b).send("type", "dm", "to", "dm-target", "id", "s" + i, "text", "t" + i);
            long last = 0;
            for (int i = 0; i < 20; i++) {
                long seq = target.await("dm").get("seq").asLong();
                assertTrue(seq > last, "strictly increasing per recipient");
                last = seq;
            }
        }
    }

    @Test
    void storedAndLiveDirectMessagesReachAUserWhoJustConnectedInSeqOrder() {
        try (WsClient offlineSender = online("dm-early"); WsClient liveSender = online("dm-late")) {
            for (int round = 0; round < 10; round++) {
                String target = "dm-racer-" + round;
                for (int i = 0; i < 5; i++) {
                    offlineSender.send("type", "dm", "to", target, "id", target + "-old-" + i, "text", "old " + i);
                    offlineSender.await("ack");
                }
                try (WsClient recipient = online(target)) {
                    for (int i = 0; i < 5; i++) liveSender.send("type", "dm", "to", target, "id", target + "-new-" + i, "text", "new " + i);
                    long last = 0;
                    for (int i = 0; i < 10; i++) {
                        long seq = recipient.await("dm").get("seq").asLong();
                        assertTrue(seq > last, "round " + round + ": seq " + seq + " after " + last);
                        last = seq;
                    }
                    for (int i = 0; i < 5; i++) liveSender.await("ack");
                }
            }
        }
    }
}
