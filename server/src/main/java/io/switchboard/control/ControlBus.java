package io.switchboard.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Operators' commands between nodes: {@link #ask} runs a command on every node (this one included) and gathers
 * their answers, the way Centrifugo's surveys do: one message to all and one reply per node, never a round trip per
 * connection. Which nodes are expected to answer is known from their periodic node info ({@link NodeInfo}).
 */
public interface ControlBus extends AutoCloseable {
    /** One node's answer: its id and what its handler returned (JSON null when it had nothing to say). */
    record Answer(String node, JsonNode value) {}

    /**
     * What every node's answers came to, this node's first; {@code missing} names live nodes that did not answer in
     * time.
     */
    record Answers(List<Answer> answers, List<String> missing) {
        public boolean partial() {
            return !missing.isEmpty();
        }
    }

    /** Starts handling commands sent to this node with {@code handler} (called on a control thread, never blocking). */
    void start(Function<ControlCommand, Object> handler);

    /**
     * Runs the command on every live node; completes once each answered or after {@code redis.timeout}, with what
     * arrived. This node's answer is always there (it runs without Redis).
     */
    CompletionStage<Answers> ask(ControlCommand command);

    /** The nodes of the cluster as last heard, this one first. */
    List<NodeInfo> nodes();

    @Override
    void close();
}
