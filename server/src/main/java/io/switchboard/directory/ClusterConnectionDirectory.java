package io.switchboard.directory;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.control.ControlBus;
import io.switchboard.control.ControlCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connections of every node: a query goes to all nodes at once through the control bus (a survey, one message and
 * one reply per node); each answers its own first page after the same cursor, and {@link ConnectionPages#merge}
 * makes the exact page of the whole cluster. A query for this node only is answered here without asking anyone.
 * Blocks up to the bus's timeout: call from the admin API's blocking pool, never from a Jetty I/O thread. A node that
 * does not answer in time is left out of the page and its total.
 */
public final class ClusterConnectionDirectory implements ConnectionDirectory {
    private final ObjectMapper json = new ObjectMapper();
    private final ControlBus control;
    private final LocalConnectionDirectory local;
    private final String nodeId;

    public ClusterConnectionDirectory(ControlBus control, LocalConnectionDirectory local, String nodeId) {
        this.control = control;
        this.local = local;
        this.nodeId = nodeId;
    }

    @Override
    public ConnectionPage query(ConnectionQuery q) {
        if (nodeId.equals(q.node())) return local.query(q);
        ControlBus.Answers answers;
        try {
            answers = control.ask(new ControlCommand.QueryConnections(q.q(), q.user(), q.room(), q.node(), q.sort().param(),
                    q.descending(), q.limit(), q.after() == null ? null : q.after().encode()))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the nodes", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the nodes did not answer: " + e.getMessage(), e);
        }
        List<ConnectionPage> pages = new ArrayList<>();
        for (ControlBus.Answer a : answers.answers()) {
            if (a.value() == null || a.value().isNull()) continue;
            try {
                pages.add(json.treeToValue(a.value(), ConnectionPage.class));
            } catch (Exception e) {
                throw new IllegalStateException("node " + a.node() + " answered an unreadable page", e);
            }
        }
        ConnectionPage merged = ConnectionPages.merge(q, pages);
        return answers.partial() ? merged.missing(answers.missing()) : merged;
    }
}
