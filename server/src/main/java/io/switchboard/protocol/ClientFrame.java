package io.switchboard.protocol;

/** Frames a chat client sends. Every frame may carry a client-chosen {@code id}; send and dm require one. */
public sealed interface ClientFrame {
    String id();

    /** Hands the frame to the visitor's method for its kind: the compiler checks that every kind is handled. */
    <X extends Exception> void accept(Visitor<X> visitor) throws X;

    /** One method per kind of client frame; {@code X} is what the handling may throw. */
    interface Visitor<X extends Exception> {
        void join(Join f) throws X;

        void leave(Leave f) throws X;

        void send(Send f) throws X;

        void dm(Dm f) throws X;

        void history(History f) throws X;

        void dmHistory(DmHistory f) throws X;

        void ping(Ping f) throws X;
    }

    /** {@code since}: the last seq the client saw; {@code epoch}: the epoch that seq belongs to (both optional). */
    record Join(String id, String room, Long since, String epoch) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.join(this); }
    }

    record Leave(String id, String room) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.leave(this); }
    }

    record Send(String id, String room, String text) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.send(this); }
    }

    record Dm(String id, String to, String text) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.dm(this); }
    }

    record History(String id, String room, Long before, Integer limit) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.history(this); }
    }

    /** A page of the user's own DM stream: entries with seq below {@code before} (default: the newest). */
    record DmHistory(String id, Long before, Integer limit) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.dmHistory(this); }
    }

    record Ping(String id) implements ClientFrame {
        public <X extends Exception> void accept(Visitor<X> v) throws X { v.ping(this); }
    }
}
