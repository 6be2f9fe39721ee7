package io.switchboard.chat;

import io.switchboard.auth.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch of the store's sequences (room seqs and DM stream positions): an opaque string that clients keep with
 * their positions and that changes whenever the server cannot prove that the stored sequences are the ones clients
 * saw. A client that sees another epoch drops its positions and pages history again (docs/protocol.md, "Epochs").
 * The idea is Centrifugo's stream epoch; the triggers are Switchboard's own:
 * <ul>
 *   <li>the last run did not stop cleanly, the machine has rebooted since, and commits were not forced to disk
 *       ({@code db.durability=process} on the embedded H2): the OS may have lost acked commits;</li>
 *   <li>the same, when the boot cannot be told (no {@code /proc/sys/kernel/random/boot_id});</li>
 *   <li>an operator resets it ({@link #reset}), as after restoring a backup.</li>
 * </ul>
 * PostgreSQL keeps its own commits through crashes and power loss, so only the operator's reset applies there.
 */
public final class StoreEpoch {
    private static final Logger log = LoggerFactory.getLogger(StoreEpoch.class);
    static final String EPOCH = "epoch";
    static final String RUN_STATE = "run.state";
    static final String RUN_BOOT = "run.boot";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final ChatStore store;
    private volatile String epoch;

    private StoreEpoch(ChatStore store, String epoch) {
        this.store = store;
        this.epoch = epoch;
    }

    /**
     * Reads (or creates) the epoch at start, changes it when the last run ended in a way the store may not have
     * survived, and marks this run as running.
     *
     * @param commitsOutliveTheMachine true when an acked commit survives a power loss or kernel crash (commits are
     *                                 fsynced: PostgreSQL, or H2 with {@code db.durability=power})
     */
    public static StoreEpoch open(ChatStore store, boolean commitsOutliveTheMachine) throws SQLException {
        String boot = bootId();
        try (var db = store.transaction()) {
            String epoch = store.state(db, EPOCH);
            String state = store.state(db, RUN_STATE);
            String lastBoot = store.state(db, RUN_BOOT);
            if (epoch == null) {
                epoch = newEpoch();
                store.setState(db, EPOCH, epoch);
            } else if ("running".equals(state) && !commitsOutliveTheMachine && (boot == null || !boot.equals(lastBoot))) {
                String previous = epoch;
                epoch = newEpoch();
                store.setState(db, EPOCH, epoch);
                log.warn("The last run did not stop cleanly and the machine may have restarted since, with commits not"
                        + " forced to disk: sequences get a new epoch ({} -> {}); clients page their history again", previous, epoch);
            }
            store.setState(db, RUN_STATE, "running");
            store.setState(db, RUN_BOOT, boot == null ? "unknown" : boot);
            db.commit();
            return new StoreEpoch(store, epoch);
        }
    }

    /** The current epoch: 8 characters of [A-Za-z0-9_-]. */
    public String current() {
        return epoch;
    }

    /** Marks a clean stop: the next start knows that everything acked was written. */
    public void markStopped() {
        try (var db = store.transaction()) {
            store.setState(db, RUN_STATE, "stopped");
            db.commit();
        } catch (SQLException e) {
            log.warn("Could not record the clean stop: {}", e.toString());
        }
    }

    /** Gives the store a new epoch (run while no server uses the store, e.g. after restoring a backup); returns it. */
    public static String reset(ChatStore store) throws SQLException {
        try (var db = store.transaction()) {
            String epoch = newEpoch();
            store.setState(db, EPOCH, epoch);
            db.commit();
            return epoch;
        }
    }

    private static String newEpoch() {
        return Secrets.random(6);
    }

    private static String bootId() {
        try {
            return Files.readString(BOOT_ID).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
