package io.switchboard.broker;

import java.util.function.Consumer;

/**
 * The delivery seam between nodes: after a change is committed, its node publishes it on the room's (or the DM
 * stream owner's) channel; every node subscribed to that channel hands it to its sequencer. A node subscribes to the
 * rooms it has members in and the users it has connections of. Delivery between nodes is best effort (pub/sub):
 * positions make a lost publication visible as a gap, which the receiving node fills from the store, and a periodic
 * position check bounds how long a lost last message can stay unseen (docs/cluster.md). The shape follows
 * centrifuge's {@code Broker} ({@code broker.go}). Every method returns at once; none blocks on the network.
 */
public interface Broker extends AutoCloseable {
    /** Starts receiving: {@code sink} gets every publication of another node on a subscribed channel, in arrival order. */
    void start(Consumer<Publication> sink);

    /** Publishes to the other nodes; a failure is counted and left to the gap fill. */
    void publish(Publication publication);

    /** Subscribes to a room's channel (idempotent; counted, so each subscribe needs its unsubscribe). */
    void subscribeRoom(String room);

    void unsubscribeRoom(String room);

    /** Subscribes to a user's DM stream channel (idempotent, counted like rooms). */
    void subscribeUser(String user);

    void unsubscribeUser(String user);

    /** Whether publications from other nodes can currently arrive (always true for a single node). */
    boolean isUp();

    /** Runs {@code action} each time delivery between nodes comes back after being down (never for a single node). */
    void onRecovered(Runnable action);

    /** True when other nodes exist that this broker reaches: positions come from the shared store, not this node. */
    boolean isShared();

    @Override
    void close();
}
