package io.switchboard.chat;

import io.switchboard.broker.Broker;
import io.switchboard.broker.Publication;
import io.switchboard.metrics.Metrics;
import io.switchboard.presence.Presence;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of this node's chat state. One thread takes {@link Command}s in arrival order and hands each to
 * its part: {@link MessageWriter} (positions and the batched transaction), {@link Fanout} (delivery here, in position
 * order, with catch-up), {@link Memberships} (connections, joins, leaves, presence), {@link RoomOperations}
 * (operators), and the {@link Broker} (telling the other nodes). Messages are acked and delivered only after their
 * commit; because every delivery on this node happens on this thread, members see a room's messages in seq order,
 * and a join with {@code since} (or a connection with {@code dmSince}) catches up without gaps or duplicates.
 */
public final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    private final Hub hub;
    private final Metrics metrics;
    private final Broker broker;
    private final int batchSize;
    private final int capacity;
    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger clientCommands = new AtomicInteger();
    private final Thread thread;
    private final MessageWriter writer;
    private final Fanout fanout;
    private final Memberships memberships;
    private final RoomOperations operations;
    private final Steps steps = new Steps();
    /** Only for the gap waits: queues a command later, never runs one. */
    private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-sequencer-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    private final FanoutLag fanoutLag;

    /**
     * @param batchSize      most commands written in one transaction
     * @param capacity       most client commands queued before {@link #submit} refuses ("busy")
     * @param outboxCapacity frames one connection's outbox holds; catch-up keeps below half of it
     * @param writers        the pool that writes fan-outs to sockets, {@code writerThreads} threads
     * @param gapWait        how long a room's message that arrived ahead of a missing seq is held before the
     *                       missing ones are read from the store ({@code cluster.gap.wait})
     * @param maxFanoutLag   fan-out writes waiting longer than this for a writer make {@link #submit} refuse new
     *                       messages ({@code fanout.lag.max}, see {@link FanoutLag}); zero turns that off
     */
    public Sequencer(ChatStore store, Hub hub, FrameCodec codec, Limits limits, Metrics metrics, StoreEpoch epoch,
                     Broker broker, Presence presence, int batchSize, int capacity, int outboxCapacity,
                     Executor writers, int writerThreads, java.time.Duration gapWait, java.time.Duration maxFanoutLag) {
        this.hub = hub;
        this.metrics = metrics;
        this.broker = broker;
        this.batchSize = batchSize;
        this.capacity = capacity;
        this.writer = new MessageWriter(store, hub, metrics, broker.isShared());
        this.fanout = new Fanout(store, hub, codec, metrics, outboxCapacity, writers, writerThreads,
                conn -> queue.add(new Command.ContinueCatchUp(conn)),
                room -> timer.schedule(() -> queue.add(new Command.GapWaitOver(room)), gapWait.toMillis(), TimeUnit.MILLISECONDS),
                gapWait.toNanos());
        this.memberships = new Memberships(store, hub, codec, limits, metrics, epoch, writer, fanout, broker, presence,
                queue::add);
        this.operations = new RoomOperations(store, hub, codec, metrics, writer, fanout, broker);
        this.thread = new Thread(this::run, "switchboard-sequencer");
        this.fanoutLag = new FanoutLag(writers, maxFanoutLag.toNanos());
        timer.scheduleAtFixedRate(fanoutLag::probe, FanoutLag.PROBE_PERIOD_MILLIS, FanoutLag.PROBE_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** How long fan-out writes currently wait for a writer thread, in milliseconds (the overload signal). */
    public double fanoutLagMillis() {
        return fanoutLag.lagNanos() / 1e6;
    }

    /** Starts the thread and the broker's deliveries from other nodes. */
    public void start() {
        broker.start(p -> {
            metrics.brokerReceived.mark();
            queue.add(new Command.Remote(p));
        });
        thread.start();
    }

    /**
     * Queues a client's command; false when the queue is full, the server is stopping, or (for a message) the node is
     * overloaded ({@link FanoutLag}): answer "busy".
     */
    public boolean submit(Command c) {
        if (!c.fromClient()) throw new IllegalArgumentException("only client commands go through submit()");
        if (stopping) return false;
        if (c.isMessage() && fanoutLag.overloaded()) {
            metrics.shed.mark();
            return false;
        }
        if (clientCommands.incrementAndGet() > capacity) {
            clientCommands.decrementAndGet();
            return false;
        }
        queue.add(c);
        return true;
    }

    /**
     * Queues connection bookkeeping (open, disconnect, catch-up), deliveries from other nodes and operator commands;
     * never refused, so no connection is left in a room and no admin call is dropped.
     */
    public void submitInternal(Command c) {
        if (c.fromClient()) throw new IllegalArgumentException("client commands go through submit()");
        queue.add(c);
    }

    public int queued() {
        return queue.size();
    }

    /** Stops taking client commands, writes everything queued, and waits for the thread up to the timeout. */
    public boolean drainAndStop(long timeoutMillis) throws InterruptedException {
        stopping = true;
        thread.join(timeoutMillis);
        timer.shutdownNow();
        return !thread.isAlive();
    }

    private void run() {
        List<Command> batch = new ArrayList<>(batchSize);
        while (true) {
            Command first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (stopping) return;
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, batchSize - 1);
            try {
                steps.run(batch);
            } catch (RuntimeException e) {
                log.error("Sequencer failed on a batch of {} command(s)", batch.size(), e); // the thread must live on
            } finally {
                fanout.flushWrites();
            }
            int client = 0;
            for (Command c : batch) if (c.fromClient()) client++;
            clientCommands.addAndGet(-client);
            batch.clear();
        }
    }

    /**
     * One batch: messages are collected and written together; any other command first commits the messages before
     * it (it may read or change what they depend on), then runs. Also where committed outcomes are acked, delivered
     * here and published to the other nodes.
     */
    private final class Steps implements Command.Handler, MessageWriter.Outcomes, Publication.Visitor<Void> {
        private final MessageWriter.Pending pending = new MessageWriter.Pending();

        void run(List<Command> commands) {
            prefetchPositionsOfNewConnections(commands);
            for (Command c : commands) {
                try {
                    c.dispatch(this);
                } catch (RuntimeException e) {
                    log.error("Sequencer failed on {}; continuing with the next command", c.getClass().getSimpleName(), e);
                }
            }
            commitPending();
        }

        /** One read for the DM stream positions of all connections this batch opens (see MessageWriter). */
        private void prefetchPositionsOfNewConnections(List<Command> commands) {
            java.util.Set<String> unknown = null;
            for (Command c : commands) {
                if (c instanceof Command.Open o && writer.cachedDmStreamSeq(o.conn().user()) < 0) {
                    if (unknown == null) unknown = new java.util.HashSet<>();
                    unknown.add(o.conn().user());
                }
            }
            if (unknown == null || unknown.size() < 2) return; // one is read by its open, as before
            try {
                writer.prefetchDmStreamSeqs(unknown);
            } catch (java.sql.SQLException e) {
                log.debug("Prefetching DM stream positions failed; each open reads its own: {}", e.toString());
            }
        }

        /** Commits collected messages before a command that may depend on them. (Pending memberships may wait.) */
        private void commitFirst() {
            if (pending.hasMessages()) commitPending();
        }

        private void commitPending() {
            writer.write(pending, this);
            fanout.flushWrites();
        }

        // --- commands ---

        @Override public void publish(Command.Publish c) { pending.publishes.add(c); }

        @Override public void direct(Command.Direct c) { pending.directs.add(c); }

        @Override public void disconnect(Command.Disconnect c) { memberships.disconnect(c.conn()); }

        @Override
        public void join(Command.Join c) {
            commitFirst();
            memberships.join(c, pending);
            fanout.flushWrites();
        }

        @Override
        public void leave(Command.Leave c) {
            commitFirst();
            memberships.leave(c, pending);
            fanout.flushWrites();
        }

        @Override
        public void open(Command.Open c) {
            commitFirst();
            memberships.open(c);
            fanout.flushWrites();
        }

        @Override public void continueCatchUp(Command.ContinueCatchUp c) {
            commitFirst();
            fanout.catchUp(c.conn());
        }

        @Override public void remote(Command.Remote c) {
            commitFirst();
            c.publication().accept(this);
        }

        @Override public void presenceChanged(Command.PresenceChanged c) {
            memberships.presenceChanged(c.room(), c.user(), c.joined(), true);
        }

        @Override public void onlineElsewhere(Command.OnlineElsewhere c) {
            memberships.onlineElsewhere(c.room(), c.users());
        }

        @Override
        public void positions(Command.Positions c) {
            commitFirst();
            long now = System.currentTimeMillis();
            c.rooms().forEach((name, seq) -> {
                Room room = hub.room(name);
                if (room != null) fanout.roomAdvancedTo(room, seq, now);
            });
            c.dmStreams().forEach(fanout::dmAdvancedTo);
        }

        @Override
        public void gapWaitOver(Command.GapWaitOver c) {
            Room room = hub.room(c.room());
            if (room != null) fanout.gapWaitOver(room);
        }

        @Override
        public void operator(Command.Operator<?> c) {
            commitFirst();
            runOperator(c);
            fanout.flushWrites();
        }

        private <T> void runOperator(Command.Operator<T> c) {
            try {
                c.result().complete(c.run(operations));
            } catch (java.sql.SQLException | RuntimeException e) {
                log.warn("Operator command {} failed: {}", c.getClass().getSimpleName(), e.toString());
                c.result().completeExceptionally(e);
            }
        }

        // --- outcomes of a commit ---

        @Override
        public void stored(MessageWriter.Stored o) {
            ServerFrame.Message m = o.message();
            fanout.send(o.from(), new ServerFrame.Ack(m.id(), m.room(), null, m.seq(), m.ts(), null));
            metrics.deliveries.mark(fanout.roomMessage(o.room(), m));
            metrics.deliveryLatency.update(System.nanoTime() - o.receivedNanos(), TimeUnit.NANOSECONDS);
            broker.publish(new Publication.RoomMessage(m));
            hub.events().messageStored(m);
        }

        @Override
        public void storedDirect(MessageWriter.StoredDirect o) {
            ServerFrame.DirectMessage toSender = o.toSender();
            ServerFrame.DirectMessage toRecipient = o.toRecipient();
            fanout.send(o.from(), new ServerFrame.Ack(toSender.id(), null, toSender.to(), toSender.seq(), toSender.ts(), null));
            int reached = fanout.directEntry(toRecipient.to(), toRecipient);
            broker.publish(new Publication.DirectEntry(toRecipient.to(), toRecipient));
            if (!toSender.to().equals(toSender.from())) {
                reached += fanout.directEntry(toSender.from(), toSender);
                broker.publish(new Publication.DirectEntry(toSender.from(), toSender));
            }
            metrics.deliveries.mark(reached);
        }

        @Override public void answer(MessageWriter.Answer o) { fanout.send(o.to(), o.frame()); }

        @Override public void roomMayHaveAdvanced(Room room, long storedSeq, long ts) {
            fanout.roomAdvancedTo(room, storedSeq, ts);
        }

        // --- publications of other nodes ---

        @Override
        public Void roomMessage(Publication.RoomMessage p) {
            Room room = hub.room(p.room());
            if (room != null) metrics.deliveries.mark(fanout.roomMessage(room, p.message()));
            return null;
        }

        @Override
        public Void directEntry(Publication.DirectEntry p) {
            metrics.deliveries.mark(fanout.directEntry(p.owner(), p.message()));
            return null;
        }

        @Override
        public Void presence(Publication.RoomPresence p) {
            memberships.presenceChanged(p.room(), p.user(), p.joined(), false);
            return null;
        }

        @Override
        public Void deleted(Publication.RoomDeleted p) {
            operations.deleted(p.room(), p.seq());
            return null;
        }

        @Override
        public Void closed(Publication.RoomClosed p) {
            operations.removeAll(p.room());
            return null;
        }
    }
}
