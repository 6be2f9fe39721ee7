package io.switchboard.cluster;

import io.switchboard.chat.Bans;
import io.switchboard.chat.ChatStore;
import io.switchboard.chat.Command;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Room;
import io.switchboard.chat.Sequencer;
import io.switchboard.presence.RedisConnectionRegistry;
import io.switchboard.presence.RedisPresence;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cluster node does on a timer so that nothing it was told can be missed for long:
 * <ul>
 *   <li><b>Position check</b>, every {@code cluster.check.interval} and whenever Redis recovers: reads the store's
 *   last seq of every room loaded here and the last DM position of every user connected here, in one query per 500
 *   names; anything ahead of what this node delivered is a publication that never arrived, read from the store
 *   (the sequencer's gap fill). This bounds how long a lost last message stays unseen.</li>
 *   <li><b>Presence</b>, every third of {@code presence.ttl}: refreshes this node's entries, reports users whose
 *   entries expired elsewhere as gone, and re-announces any of ours that had expired.</li>
 *   <li><b>Connection registry</b> refresh and <b>bans</b> re-read (a ban or unban whose control message was lost,
 *   e.g. while Redis was away, still takes effect), on the same period and whenever Redis recovers.</li>
 * </ul>
 * Store reads run on the database readers, never on the timer or a Redis thread.
 */
public final class ClusterUpkeep {
    private static final Logger log = LoggerFactory.getLogger(ClusterUpkeep.class);

    private final Hub hub;
    private final ChatStore store;
    private volatile Sequencer sequencer;
    /** Applies a ban learned from the store here (closes the user's connections); set before {@link #start}. */
    private volatile java.util.function.Consumer<Bans.Ban> enforce = b -> {};
    private final RedisPresence presence;
    private final RedisConnectionRegistry registry;
    private final Bans bans;
    private final Executor readers;
    private final AtomicBoolean checking = new AtomicBoolean();

    public ClusterUpkeep(Hub hub, ChatStore store, Sequencer sequencer, RedisPresence presence,
                         RedisConnectionRegistry registry, Bans bans, Executor readers) {
        this.hub = hub;
        this.store = store;
        this.sequencer = sequencer;
        this.presence = presence;
        this.registry = registry;
        this.bans = bans;
        this.readers = readers;
    }

    /** The sequencer is built after the seams it takes; it is handed in here before {@link #start}. */
    public void attach(Sequencer sequencer) {
        this.sequencer = sequencer;
    }

    /** How a ban found in the store but not known here is enforced on this node's connections. */
    public void enforceBansWith(java.util.function.Consumer<Bans.Ban> enforce) {
        this.enforce = enforce;
    }

    /** Schedules the tasks on {@code timer}. */
    public void start(ScheduledExecutorService timer, Duration checkInterval, Duration presenceTtl) {
        timer.scheduleWithFixedDelay(this::checkPositions, checkInterval.toMillis(), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
        long period = Math.max(100, presenceTtl.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::presenceRound, period, period, TimeUnit.MILLISECONDS);
    }

    /** Reads positions from the store and hands them to the sequencer; at most one check runs at a time. */
    public void checkPositions() {
        if (!checking.compareAndSet(false, true)) return;
        List<String> rooms = hub.rooms().stream().map(Room::name).toList();
        List<String> users = List.copyOf(hub.users());
        try {
            readers.execute(() -> {
                try {
                    Map<String, Long> roomSeqs = rooms.isEmpty() ? Map.of() : store.roomSeqs(rooms);
                    Map<String, Long> dmSeqs = users.isEmpty() ? Map.of() : store.dmStreamSeqs(users);
                    sequencer.submitInternal(new Command.Positions(roomSeqs, dmSeqs));
                } catch (SQLException e) {
                    log.debug("Position check skipped: {}", e.toString());
                } finally {
                    checking.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            checking.set(false);
        }
    }

    private void presenceRound() {
        try {
            presence.refresh().thenAccept(back -> back.forEach((room, users) -> users.forEach(
                    u -> sequencer.submitInternal(new Command.PresenceChanged(room, u, true)))));
            presence.expired().thenAccept(gone -> gone.forEach((room, users) -> users.forEach(
                    u -> sequencer.submitInternal(new Command.PresenceChanged(room, u, false)))));
            registry.refresh();
            readers.execute(this::reloadBans);
        } catch (RuntimeException e) {
            log.warn("Presence upkeep failed; it runs again next period", e);
        }
    }

    /** Redis is back: what was published meanwhile may be lost, bans and unbans included. */
    public void recovered() {
        checkPositions();
        try {
            readers.execute(this::reloadBans);
        } catch (RejectedExecutionException e) {
            // the periodic round reads them again
        }
    }

    private void reloadBans() {
        try {
            long now = System.currentTimeMillis();
            for (Bans.Ban b : bans.reload(now)) {
                if (b.activeAt(now)) enforce.accept(b);
            }
        } catch (SQLException e) {
            log.debug("Bans not re-read: {}", e.toString());
        }
    }

    /** This node's members per room (room to users here), for presence refresh and sweep. */
    public static Map<String, Collection<String>> membersHere(Hub hub) {
        Map<String, Collection<String>> out = new HashMap<>();
        for (Room room : hub.rooms()) out.put(room.name(), room.usersHere());
        return out;
    }

    /** This node's connections per user, for the connection registry's refresh. */
    public static Map<String, Collection<String>> connectionsHere(Hub hub) {
        Map<String, Collection<String>> out = new HashMap<>();
        for (var c : hub.connections()) out.computeIfAbsent(c.user(), u -> new java.util.ArrayList<>()).add(c.id());
        return out;
    }
}
