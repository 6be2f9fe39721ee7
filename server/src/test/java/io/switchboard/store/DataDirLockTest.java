package io.switchboard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.SwitchboardProcess;
import io.switchboard.SwitchboardServer;
import io.switchboard.config.Config;
import io.switchboard.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One Switchboard per data dir: a second one fails fast instead of sharing the database and secrets. */
@Timeout(90)
class DataDirLockTest {
    private static final Duration FAST = Duration.ofSeconds(5);

    @TempDir
    Path dataDir;

    private static Config configFor(Path dataDir) {
        return Config.of(Map.of("port", "0", "host", "127.0.0.1", "data.dir", dataDir.toString(), "shutdown.grace", "5s",
                "drain.delay", "0", "drain.window", "0"));
    }

    @Test
    void aSecondServerOnTheSameDataDirFailsFastWhileTheFirstRuns() {
        try (TestServer first = TestServer.start(dataDir, Map.of())) {
            IllegalStateException e = assertTimeoutPreemptively(FAST,
                    () -> assertThrows(IllegalStateException.class, () -> SwitchboardServer.create(configFor(dataDir))));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertTrue(e.getMessage().contains(dataDir.toAbsolutePath().toString()), "names the data dir: " + e.getMessage());
            assertEquals(200, first.get("/ready").statusCode(), "the refused start leaves the first server working");
        }
    }

    @Test
    void aRefusedSecondStartInTheSameProcessKeepsTheDirLockedAgainstOtherProcesses() {
        try (TestServer first = TestServer.start(dataDir, Map.of())) {
            assertThrows(IllegalStateException.class, () -> SwitchboardServer.create(configFor(dataDir)));
            try (SwitchboardProcess other = SwitchboardProcess.start("serve", "--port", "0", "--host", "127.0.0.1",
                    "--data-dir", dataDir.toString())) {
                assertEquals(1, other.awaitExit(Duration.ofSeconds(30)), other.output());
                assertTrue(other.output().contains("in use"), other.output());
            }
        }
    }

    @Test
    void afterTheFirstServerStopsTheDataDirCanBeUsedAgain() {
        TestServer first = TestServer.start(dataDir, Map.of());
        assertThrows(IllegalStateException.class, () -> SwitchboardServer.create(configFor(dataDir)));
        first.close();
        try (SwitchboardServer second = assertTimeoutPreemptively(FAST, () -> SwitchboardServer.create(configFor(dataDir)).start())) {
            assertTrue(second.port() > 0);
            assertTrue(second.database().ping(2), "the second server has a working database");
        }
    }

    @Test
    void theLockItselfRefusesASecondHolderUntilReleased() {
        try (DataDirLock held = DataDirLock.acquire(dataDir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(dataDir));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        DataDirLock.acquire(dataDir).close();
    }
}
