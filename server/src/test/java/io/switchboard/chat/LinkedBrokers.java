package io.switchboard.chat;

import io.switchboard.broker.Broker;
import io.switchboard.broker.Publication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * In-memory brokers of several nodes in one JVM, for fast tests of the cluster's delivery rules: a publication
 * reaches every other node subscribed to its channel, at once, unless the test holds or drops it.
 */
final class LinkedBrokers {
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private volatile Predicate<Publication> drop = p -> false;
    private final List<Runnable> held = new ArrayList<>();
    private volatile boolean holding;

    Broker newBroker() {
        Node n = new Node();
        nodes.add(n);
        return n;
    }

    /** Publications matching {@code rule} are lost from now on (as on a pub/sub outage). */
    void drop(Predicate<Publication> rule) {
        drop = rule;
    }

    /** From now on publications wait until {@link #release()}. */
    synchronized void hold() {
        holding = true;
    }

    /** Delivers what was held, newest first (the worst order), and stops holding. */
    void release() {
        List<Runnable> out;
        synchronized (this) {
            holding = false;
            out = new ArrayList<>(held);
            held.clear();
        }
        for (int i = out.size() - 1; i >= 0; i--) out.get(i).run();
    }

    private final class Node implements Broker {
        private volatile Consumer<Publication> sink = p -> {};
        private final Map<String, Integer> channels = new HashMap<>();

        @Override public void start(Consumer<Publication> sink) { this.sink = sink; }

        @Override
        public void publish(Publication p) {
            if (drop.test(p)) return;
            String channel = channel(p);
            for (Node other : nodes) {
                if (other == this || !other.subscribed(channel)) continue;
                Runnable deliver = () -> other.sink.accept(p);
                synchronized (LinkedBrokers.this) {
                    if (holding) {
                        held.add(deliver);
                        continue;
                    }
                }
                deliver.run();
            }
        }

        private String channel(Publication p) {
            return p instanceof Publication.DirectEntry d ? "user:" + d.owner() : "room:" + p.room();
        }

        private synchronized boolean subscribed(String channel) {
            return channels.containsKey(channel);
        }

        private synchronized void change(String channel, int by) {
            channels.merge(channel, by, (a, b) -> a + b == 0 ? null : a + b);
        }

        @Override public void subscribeRoom(String room) { change("room:" + room, 1); }
        @Override public void unsubscribeRoom(String room) { change("room:" + room, -1); }
        @Override public void subscribeUser(String user) { change("user:" + user, 1); }
        @Override public void unsubscribeUser(String user) { change("user:" + user, -1); }
        @Override public boolean isUp() { return true; }
        @Override public void onRecovered(Runnable action) {}
        @Override public boolean isShared() { return true; }
        @Override public void close() {}
    }
}
