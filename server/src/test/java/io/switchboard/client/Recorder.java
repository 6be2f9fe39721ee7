package io.switchboard.client;

import java.util.ArrayList;
import java.util.List;

/** A listener that keeps everything a client delivers, for assertions from the test thread. */
final class Recorder implements Listener {
    /** A state change as the listener saw it. */
    record Change(State state, String reason) {}

    private final List<Message> messages = new ArrayList<>();
    private final List<DirectMessage> directs = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private final List<SwitchboardException> errors = new ArrayList<>();
    private final List<Kicked> kicks = new ArrayList<>();
    private final List<SystemNotice> notices = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Reset> resets = new ArrayList<>();

    @Override
    public synchronized void onMessage(Message message) {
        messages.add(message);
        threads.add(Thread.currentThread());
    }

    @Override
    public synchronized void onDirectMessage(DirectMessage message) {
        directs.add(message);
    }

    @Override
    public synchronized void onSystem(SystemNotice notice) {
        notices.add(notice);
    }

    @Override
    public synchronized void onReset(Reset reset) {
        resets.add(reset);
    }

    @Override
    public synchronized void onKicked(Kicked kicked) {
        kicks.add(kicked);
    }

    @Override
    public synchronized void onStateChange(State state, String reason) {
        changes.add(new Change(state, reason));
    }

    @Override
    public synchronized void onError(SwitchboardException error) {
        errors.add(error);
    }

    synchronized List<Message> messages() {
        return List.copyOf(messages);
    }

    synchronized List<Message> messages(String room) {
        return messages.stream().filter(m -> room.equals(m.room())).toList();
    }

    synchronized List<DirectMessage> directs() {
        return List.copyOf(directs);
    }

    synchronized List<Change> changes() {
        return List.copyOf(changes);
    }

    synchronized List<SwitchboardException> errors() {
        return List.copyOf(errors);
    }

    synchronized List<Reset> resets() {
        return List.copyOf(resets);
    }

    synchronized List<Kicked> kicks() {
        return List.copyOf(kicks);
    }

    synchronized List<SystemNotice> notices() {
        return List.copyOf(notices);
    }

    /** Distinct threads that delivered messages (the contract: exactly one per client). */
    synchronized long deliveryThreads() {
        return new ArrayList<>(threads).stream().distinct().count();
    }

    synchronized boolean sawState(State state, String reasonPart) {
        return changes.stream().anyMatch(c -> c.state() == state && (reasonPart == null
                || (c.reason() != null && c.reason().contains(reasonPart))));
    }
}
