package io.switchboard.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.auth.Secrets;
import io.switchboard.cluster.RedisConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control bus of a cluster node, on Redis pub/sub. Every node listens on {@code <prefix>:control}; a command
 * goes there once, each other node runs it and replies on the asking node's own channel
 * ({@code <prefix>:node:<id>}), and the asker waits for the nodes it knows to be alive, at most {@code redis.timeout}.
 * The same channel carries each node's {@link NodeInfo} every {@code cluster.info.interval}; a node not heard from
 * for three intervals plus the timeout is taken as gone. This node's own answer is computed directly, so a command
 * still works here while Redis is down. After Centrifugo's control channel and node info.
 */
public final class RedisControlBus implements ControlBus {
    private static final Logger log = LoggerFactory.getLogger(RedisControlBus.class);

    private final RedisConnections redis;
    private final String node;
    private final String controlChannel;
    private final String prefix;
    private final Duration timeout;
    private final Duration interval;
    private final Supplier<NodeInfo> self;
    private final ObjectMapper json = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final ScheduledExecutorService timer;
    /** Runs commands from other nodes: never on a Redis I/O thread. */
    private final ExecutorService worker;
    private final Map<String, Heard> others = new ConcurrentHashMap<>();
    private final Map<String, Gather> asked = new ConcurrentHashMap<>();
    private volatile Function<ControlCommand, Object> handler = c -> null;

    private record Heard(NodeInfo info, long atNanos) {}

    /** Answers to one command as they arrive. */
    private static final class Gather {
        final Set<String> waiting;
        final List<Answer> answers = new ArrayList<>();
        final CompletableFuture<Answers> done = new CompletableFuture<>();

        Gather(Set<String> waiting) {
            this.waiting = waiting;
        }

        synchronized void add(Answer a) {
            if (!waiting.remove(a.node())) return;
            answers.add(a);
            if (waiting.isEmpty()) done.complete(new Answers(List.copyOf(answers), List.of()));
        }

        synchronized void expire() {
            done.complete(new Answers(List.copyOf(answers), List.copyOf(waiting)));
        }
    }

    /**
     * @param timeout  how long an ask waits for the other nodes ({@code redis.timeout})
     * @param interval how often node info is published ({@code cluster.info.interval})
     * @param self     this node's current info
     */
    public RedisControlBus(RedisConnections redis, String node, Duration timeout, Duration interval, Supplier<NodeInfo> self) {
        this.redis = redis;
        this.node = node;
        this.prefix = redis.settings().prefix();
        this.controlChannel = prefix + ":control";
        this.timeout = timeout;
        this.interval = interval;
        this.self = self;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "switchboard-control-timer"));
        this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, "switchboard-control"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void start(Function<ControlCommand, Object> handler) {
        this.handler = handler;
        redis.addListener(this::onMessage);
        redis.subscribe(controlChannel); // wanted from now on: subscribed again whenever Redis recovers
        timer.scheduleAtFixedRate(this::publishInfo, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publishInfo() {
        try {
            ObjectNode m = json.createObjectNode().put("t", "info");
            m.set("info", json.valueToTree(self.get()));
            redis.publish(controlChannel, json.writeValueAsString(m));
            long stale = System.nanoTime() - staleAfter().toNanos();
            others.values().removeIf(h -> h.atNanos() < stale);
        } catch (Exception e) {
            log.debug("Node info not published: {}", e.toString());
        }
    }

    private Duration staleAfter() {
        return interval.multipliedBy(3).plus(timeout);
    }

    private void onMessage(String channel, String payload) {
        boolean toAll = channel.equals(controlChannel);
        if (!toAll && !channel.equals(redis.settings().ownChannel())) return;
        JsonNode m;
        try {
            m = json.readTree(payload);
        } catch (Exception e) {
            log.warn("Dropped an unreadable control message on {}: {}", channel, e.toString());
            return;
        }
        String type = m.path("t").asText();
        if (toAll && type.equals("info")) {
            try {
                NodeInfo info = json.treeToValue(m.path("info"), NodeInfo.class);
                if (info != null && info.id() != null && !info.id().equals(node)) others.put(info.id(), new Heard(info, System.nanoTime()));
            } catch (Exception e) {
                log.warn("Dropped unreadable node info: {}", e.toString());
            }
        } else if (toAll && type.equals("ask")) {
            String from = m.path("from").asText();
            if (from.equals(node)) return;
            worker.execute(() -> answer(m, from));
        } else if (!toAll && type.equals("answer")) {
            Gather g = asked.get(m.path("id").asText());
            if (g != null) g.add(new Answer(m.path("node").asText(), m.path("value")));
        }
    }

    private void answer(JsonNode ask, String from) {
        try {
            ControlCommand command = json.treeToValue(ask.path("cmd"), ControlCommand.class);
            Object value = handler.apply(command);
            ObjectNode reply = json.createObjectNode().put("t", "answer").put("id", ask.path("id").asText()).put("node", node);
            reply.set("value", json.valueToTree(value));
            redis.publish(redis.settings().nodeChannel(from), json.writeValueAsString(reply));
        } catch (Exception e) {
            log.warn("Control command from node {} failed here: {}", from, e.toString());
        }
    }

    @Override
    public CompletionStage<Answers> ask(ControlCommand command) {
        JsonNode mine;
        try {
            mine = json.valueToTree(handler.apply(command));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Set<String> waiting = new LinkedHashSet<>(liveOthers());
        Gather g = new Gather(new LinkedHashSet<>(waiting));
        synchronized (g) {
            g.answers.add(new Answer(node, mine));
        }
        if (waiting.isEmpty()) return CompletableFuture.completedFuture(new Answers(List.of(new Answer(node, mine)), List.of()));
        String id = Secrets.random(12);
        asked.put(id, g);
        ObjectNode m = json.createObjectNode().put("t", "ask").put("id", id).put("from", node);
        m.set("cmd", json.valueToTree(command));
        try {
            redis.publish(controlChannel, json.writeValueAsString(m));
        } catch (Exception e) {
            g.expire();
        }
        timer.schedule(g::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return g.done.whenComplete((a, e) -> asked.remove(id));
    }

    private List<String> liveOthers() {
        long stale = System.nanoTime() - staleAfter().toNanos();
        return others.values().stream().filter(h -> h.atNanos() >= stale).map(h -> h.info().id()).sorted().toList();
    }

    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        out.add(self.get());
        long stale = System.nanoTime() - staleAfter().toNanos();
        others.values().stream().filter(h -> h.atNanos() >= stale).map(Heard::info)
                .sorted(Comparator.comparing(NodeInfo::id)).forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        worker.shutdownNow();
    }
}
