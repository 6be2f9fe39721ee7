package io.switchboard.directory;

import io.switchboard.chat.Connection;
import java.util.List;
import java.util.TreeSet;

/**
 * A live connection as the admin API and the console show it. {@code node} is the id of the node that holds the
 * connection; times are epoch milliseconds; {@code messagesIn} / {@code messagesOut} are frames received from the
 * client / queued to it after its welcome; {@code queued} is frames waiting in its outbox now.
 */
public record ConnectionView(String id, String node, String user, String name, String remoteAddress, String userAgent,
                             long connectedAt, List<String> rooms, long messagesIn, long messagesOut, int queued,
                             long lastActivity) {

    /** The connection as it is now, held by node {@code node}. */
    public static ConnectionView of(Connection c, String node) {
        return of(c, node, c.framesIn(), c.framesOut(), c.queued());
    }

    /** With the counters given (read once, so that a page's sort key and its item agree). */
    static ConnectionView of(Connection c, String node, long framesIn, long framesOut, int queued) {
        return new ConnectionView(c.id(), node, c.user(), c.principal().name(), c.remoteAddress(), c.userAgent(),
                c.connectedAt(), List.copyOf(new TreeSet<>(c.rooms())), framesIn, framesOut, queued, c.lastActivity());
    }
}
