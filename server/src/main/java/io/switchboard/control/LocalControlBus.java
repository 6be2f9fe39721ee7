package io.switchboard.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** The control bus of a single node: a command runs here, and this node's answer is the only one. */
public final class LocalControlBus implements ControlBus {
    private final ObjectMapper json = new ObjectMapper();
    private final String node;
    private final Supplier<NodeInfo> self;
    private volatile Function<ControlCommand, Object> handler = c -> null;

    public LocalControlBus(String node, Supplier<NodeInfo> self) {
        this.node = node;
        this.self = self;
    }

    @Override
    public void start(Function<ControlCommand, Object> handler) {
        this.handler = handler;
    }

    @Override
    public CompletionStage<Answers> ask(ControlCommand command) {
        try {
            Object answer = handler.apply(command);
            return CompletableFuture.completedFuture(new Answers(List.of(new Answer(node, json.valueToTree(answer))), List.of()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<NodeInfo> nodes() {
        return List.of(self.get());
    }

    @Override
    public void close() {}
}
