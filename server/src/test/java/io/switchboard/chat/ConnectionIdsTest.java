package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Connection ids: 12 URL-safe characters, random (every character of the alphabet used everywhere), distinct. */
class ConnectionIdsTest {
    @Test
    void idsAreTwelveUrlSafeCharactersAndDistinctAcrossThreads() {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 200_000).parallel().forEach(i -> ids.add(ConnectionIds.next()));
        assertEquals(200_000, ids.size(), "72 random bits: no repeat expected in 200,000");
        for (String id : ids) assertTrue(id.matches("[A-Za-z0-9_-]{12}"), id);
    }

    @Test
    void everyPositionTakesEveryCharacterOfTheAlphabetSoNothingIsFixedOrCounted() {
        Set<Character>[] seen = new Set[ConnectionIds.LENGTH];
        for (int p = 0; p < seen.length; p++) seen[p] = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = ConnectionIds.next();
            for (int p = 0; p < id.length(); p++) seen[p].add(id.charAt(p));
        }
        for (int p = 0; p < seen.length; p++) assertEquals(64, seen[p].size(), "position " + p);
    }
}
