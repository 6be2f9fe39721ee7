package io.switchboard.broker;

import java.util.function.Consumer;

/** The broker of a single node: there is nobody else to tell, so publishing and subscribing do nothing. */
public final class LocalBroker implements Broker {
    @Override public void start(Consumer<Publication> sink) {}
    @Override public void publish(Publication publication) {}
    @Override public void subscribeRoom(String room) {}
    @Override public void unsubscribeRoom(String room) {}
    @Override public void subscribeUser(String user) {}
    @Override public void unsubscribeUser(String user) {}
    @Override public boolean isUp() { return true; }
    @Override public void onRecovered(Runnable action) {}
    @Override public boolean isShared() { return false; }
    @Override public void close() {}
}
