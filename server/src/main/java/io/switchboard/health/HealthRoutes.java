package io.switchboard.health;

import io.javalin.config.JavalinConfig;
import io.switchboard.store.Database;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Unauthenticated liveness ({@code /health}: the process answers, whatever its dependencies do) and readiness
 * ({@code /ready}: the node is not draining, every added check passes, e.g. Redis in cluster mode, and the
 * database answers). A draining node answers 503 {@code {"status":"draining"}} from the drain's first instant,
 * without asking the database, so that a load balancer stops sending it new connections.
 */
public final class HealthRoutes {
    private static final int READY_TIMEOUT_SECONDS = 2;

    private final Database database;
    private final Executor dbExecutor;
    private final List<Supplier<String>> checks = new CopyOnWriteArrayList<>();
    private final BooleanSupplier draining;

    public HealthRoutes(Database database, Executor dbExecutor, BooleanSupplier draining) {
        this.database = database;
        this.dbExecutor = dbExecutor;
        this.draining = draining;
    }

    /**
     * Adds a readiness condition: {@code problem} answers null when ready, else the reason given in the 503 body
     * ({@code {"status":"NOT_READY","reason":...}}); it is called on every {@code /ready} and must not block.
     */
    public HealthRoutes withCheck(Supplier<String> problem) {
        checks.add(problem);
        return this;
    }

    public void register(JavalinConfig cfg) {
        cfg.routes.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
        cfg.routes.get("/ready", ctx -> {
            if (draining.getAsBoolean()) {
                ctx.status(503).json(Map.of("status", "draining"));
                return;
            }
            for (Supplier<String> c : checks) {
                String problem = c.get();
                if (problem != null) {
                    ctx.status(503).json(Map.of("status", "NOT_READY", "reason", problem));
                    return;
                }
            }
            readyIfDatabaseAnswers(ctx);
        });
    }

    private void readyIfDatabaseAnswers(io.javalin.http.Context ctx) {
        ctx.future(() -> check()
                .completeOnTimeout(false, READY_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS)
                .exceptionally(e -> false)
                .thenAccept(ok -> ctx.status(ok ? 200 : 503).json(ok
                        ? Map.of("status", "READY")
                        : Map.of("status", "NOT_READY", "reason", "database unavailable"))));
    }

    private CompletableFuture<Boolean> check() {
        try {
            return CompletableFuture.supplyAsync(() -> database.ping(READY_TIMEOUT_SECONDS), dbExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(false); // saturated database executor: not ready for more
        }
    }
}
