package io.switchboard.health;

import io.javalin.config.JavalinConfig;
import io.switchboard.store.Database;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** Unauthenticated liveness ({@code /health}) and readiness ({@code /ready}: the database answers). */
public final class HealthRoutes {
    private static final int READY_TIMEOUT_SECONDS = 2;

    private final Database database;
    private final Executor dbExecutor;

    public HealthRoutes(Database database, Executor dbExecutor) {
        this.database = database;
        this.dbExecutor = dbExecutor;
    }

    public void register(JavalinConfig cfg) {
        cfg.routes.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
        cfg.routes.get("/ready", ctx -> ctx.future(() -> check()
                .completeOnTimeout(false, READY_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS)
                .exceptionally(e -> false)
                .thenAccept(ok -> ctx.status(ok ? 200 : 503).json(ok
                        ? Map.of("status", "READY")
                        : Map.of("status", "NOT_READY", "reason", "database unavailable")))));
    }

    private CompletableFuture<Boolean> check() {
        try {
            return CompletableFuture.supplyAsync(() -> database.ping(READY_TIMEOUT_SECONDS), dbExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(false); // saturated database executor: not ready for more
        }
    }
}
