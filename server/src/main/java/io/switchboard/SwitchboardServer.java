package io.switchboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import io.javalin.http.HttpStatus;
import io.switchboard.admin.AdminGuard;
import io.switchboard.admin.Api;
import io.switchboard.admin.ApiException;
import io.switchboard.admin.AuditLog;
import io.switchboard.admin.ConnectionRoutes;
import io.switchboard.admin.DrainRoutes;
import io.switchboard.admin.LiveFeed;
import io.switchboard.auth.ConsoleSessions;
import io.switchboard.console.ConsoleRoutes;
import io.switchboard.console.DemoRoutes;
import io.switchboard.console.SecurityHeaders;
import io.switchboard.admin.ModerationRoutes;
import io.switchboard.admin.RoomRoutes;
import io.switchboard.admin.SystemRoutes;
import io.switchboard.directory.ClusterConnectionDirectory;
import io.switchboard.directory.ConnectionView;
import io.switchboard.directory.LocalConnectionDirectory;
import io.switchboard.admin.Problem;
import io.switchboard.auth.AdminAuth;
import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.Secrets;
import io.switchboard.chat.Bans;
import io.switchboard.chat.ChatService;
import io.switchboard.chat.ChatStore;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Limits;
import io.switchboard.chat.Sequencer;
import io.switchboard.chat.StoreEpoch;
import io.switchboard.broker.LocalBroker;
import io.switchboard.broker.RedisBroker;
import io.switchboard.cluster.ClusterUpkeep;
import io.switchboard.cluster.DatabaseClaim;
import io.switchboard.control.LocalControlBus;
import io.switchboard.control.NodeCommands;
import io.switchboard.control.RedisControlBus;
import io.switchboard.presence.LocalConnectionRegistry;
import io.switchboard.presence.LocalPresence;
import io.switchboard.presence.RedisConnectionRegistry;
import io.switchboard.presence.RedisPresence;
import io.switchboard.cluster.NodeIdentity;
import io.switchboard.cluster.RedisConnections;
import io.switchboard.cluster.RedisSettings;
import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import io.switchboard.drain.Drain;
import io.switchboard.health.HealthRoutes;
import io.switchboard.http.ErrorPages;
import io.switchboard.http.HeaderDeadline;
import io.switchboard.metrics.Metrics;
import io.switchboard.metrics.PrometheusRoute;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.store.DataDirLock;
import io.switchboard.store.Database;
import io.switchboard.ws.ChatSocket;
import io.switchboard.ws.Compression;
import io.switchboard.ws.PooledDeflateExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the data dir lock, secrets, database, chat core and HTTP/WebSocket routes with
 * plain constructors, and owns their start and graceful stop.
 */
public final class SwitchboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

    private final Config config;
    private final DataDirLock lock;
    private final Database database;
    private final String installationId;
    private final ThreadPoolExecutor dbReaders;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.ExecutorService writers;
    private final Hub hub;
    private final Sequencer sequencer;
    private final io.switchboard.broker.Broker broker;
    private final io.switchboard.presence.Presence presence;
    private final io.switchboard.control.ControlBus control;
    /** Cluster mode only: position checks, presence refresh and sweep; null for a single node. */
    private final ClusterUpkeep upkeep;
    private final long startedAt = System.currentTimeMillis();
    private final StoreEpoch epoch;
    private final Bans bans;
    private final LiveFeed liveFeed;
    private final ConsoleSessions sessions;
    private final Metrics metrics;
    private final ClientTokens clientTokens;
    private final Javalin app;
    private final QueuedThreadPool httpThreads;
    private final HeaderDeadline headerDeadline;
    private final Drain drain;
    private final ChatSocket socket;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** This node's claim on a shared PostgreSQL (null on H2). */
    private final DatabaseClaim claim;
    private final NodeIdentity node;
    /** Cluster mode only (redis.url set); null for a single node. */
    private final RedisConnections redis;
    private List<String> apiRoutes = List.of();

    private SwitchboardServer(Config config, DataDirLock lock, DatabaseClaim claim, Database database, Metrics metrics,
                              NodeIdentity node, RedisConnections redis) throws SQLException {
        this.config = config;
        this.claim = claim;
        this.node = node;
        this.redis = redis;
        this.metrics = metrics;
        this.lock = lock;
        this.database = database;
        Path dataDir = Path.of(config.get(Keys.DATA_DIR));
        this.installationId = installationId(database);

        String adminToken = Secrets.configuredOrStored(config.get(Keys.ADMIN_TOKEN), dataDir, "admin.token", "Admin token");
        String jwtSecret = Secrets.configuredOrStored(config.get(Keys.JWT_SECRET), dataDir, "jwt.secret", "Client token secret");
        AdminAuth adminAuth = new AdminAuth().add("admin", AdminAuth.Role.OPERATOR, adminToken);
        try {
            adminAuth.addAll(config.get(Keys.ADMIN_TOKENS));
        } catch (IllegalArgumentException e) {
            throw new io.switchboard.config.ConfigException("Invalid value for admin.tokens: " + e.getMessage());
        }
        this.clientTokens = new ClientTokens(jwtSecret, Clock.systemUTC(), config.get(Keys.JWT_LEEWAY));

        int readers = Math.max(2, config.get(Keys.DB_POOL_SIZE) / 2);
        this.dbReaders = new ThreadPoolExecutor(readers, readers, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1000), daemonThreads("switchboard-db-read"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("switchboard-timer"));

        ObjectMapper mapper = new ObjectMapper();
        FrameCodec codec = new FrameCodec(mapper);
        Limits limits = Limits.from(config);
        ChatStore store = new ChatStore(database.dataSource());
        this.hub = new Hub(limits);
        this.bans = new Bans(database.dataSource());
        // More writers than cores: socket writes are short syscalls, and on a busy host each runnable thread gets its
        // share of the CPU, so one writer per core would queue fan-outs behind everything else that runs.
        int writerThreads = config.get(Keys.FANOUT_THREADS) > 0 ? config.get(Keys.FANOUT_THREADS)
                : Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
        this.writers = Executors.newFixedThreadPool(writerThreads, daemonThreads("switchboard-writer"));
        try {
            // Only the embedded H2 without forced writes (db.durability=process) can lose acked commits to a machine crash.
            boolean synced = Keys.DURABILITY_POWER.equals(config.get(Keys.DB_DURABILITY));
            this.epoch = StoreEpoch.open(store, synced || !"H2".equals(database.kind()));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the store's epoch: " + e.getMessage(), e);
        }
        // The seams: in memory for a single node, on Redis for a cluster (docs/cluster.md).
        io.switchboard.presence.ConnectionRegistry registry;
        if (redis == null) {
            this.broker = new LocalBroker();
            this.presence = new LocalPresence();
            registry = new LocalConnectionRegistry();
            this.upkeep = null;
        } else {
            Duration ttl = config.get(Keys.PRESENCE_TTL);
            RedisPresence redisPresence = new RedisPresence(redis, node.id(), ttl, () -> ClusterUpkeep.membersHere(hub));
            RedisConnectionRegistry redisRegistry = new RedisConnectionRegistry(redis, ttl, () -> ClusterUpkeep.connectionsHere(hub));
            this.broker = new RedisBroker(redis, node.id());
            this.presence = redisPresence;
            registry = redisRegistry;
            this.upkeep = new ClusterUpkeep(hub, store, null, redisPresence, redisRegistry, bans, dbReaders);
        }
        this.sequencer = new Sequencer(store, hub, codec, limits, metrics, epoch, broker, presence, config.get(Keys.DB_BATCH_SIZE),
                config.get(Keys.DB_QUEUE_CAPACITY), config.get(Keys.OUTBOX_CAPACITY), writers, writerThreads,
                config.get(Keys.CLUSTER_GAP_WAIT), config.get(Keys.FANOUT_LAG_MAX));
        if (upkeep != null) upkeep.attach(sequencer);
        Duration heartbeat = config.get(Keys.HEARTBEAT_INTERVAL);
        ChatService chat = new ChatService(hub, sequencer, store, codec, limits, dbReaders, heartbeat,
                config.get(Keys.HEARTBEAT_TIMEOUT), bans, metrics, registry);
        registerGauges();
        this.drain = new Drain(hub, metrics, config.get(Keys.DRAIN_DELAY), config.get(Keys.DRAIN_WINDOW),
                this::drainChanged);
        try {
            this.socket = new ChatSocket(chat, clientTokens, config.get(Keys.ALLOWED_ORIGINS), scheduler,
                    config.get(Keys.OUTBOX_CAPACITY), drain::draining, Compression.of(config.get(Keys.WS_COMPRESSION)));
        } catch (IllegalArgumentException e) {
            throw new io.switchboard.config.ConfigException("Invalid value for allowed.origins: " + e.getMessage());
        }
        HealthRoutes health = new HealthRoutes(database, dbReaders, drain::draining);
        if (redis != null) {
            health.withCheck(() -> {
                String problem = redis.problem(); // null exactly while up
                return problem == null ? null : "redis unavailable: " + problem;
            });
        }
        this.sessions = new ConsoleSessions(database.dataSource(), adminAuth, config.get(Keys.CONSOLE_SESSION_TTL));
        AdminGuard adminGuard = new AdminGuard(adminAuth, sessions, config.get(Keys.ADMIN_RATE));
        // The node id every connection view carries: the installation id until nodes get ids of their own.
        this.liveFeed = new LiveFeed(hub, metrics, node.id());
        AuditLog audit = new AuditLog(database.dataSource(), liveFeed::audited);
        ConsoleRoutes consoleRoutes = new ConsoleRoutes(adminAuth, sessions, audit);
        this.control = redis == null ? new LocalControlBus(node.id(), this::nodeInfo)
                : new RedisControlBus(redis, node.id(), config.get(Keys.REDIS_TIMEOUT), config.get(Keys.CLUSTER_INFO_INTERVAL), this::nodeInfo);
        LocalConnectionDirectory localConnections = new LocalConnectionDirectory(node.id(), hub::connections);
        NodeCommands nodeCommands = new NodeCommands(node.id(), hub, bans, codec, metrics, c -> ConnectionView.of(c, node.id()),
                localConnections::query, () -> drain.start("an operator, through another node"));
        control.start(nodeCommands::run);
        if (upkeep != null) {
            upkeep.enforceBansWith(b -> nodeCommands.banApplied(new io.switchboard.control.ControlCommand.BanApplied(
                    b.user(), b.reason(), b.createdAt(), b.expiresAt(), b.createdBy())));
        }
        ConnectionRoutes connectionRoutes = new ConnectionRoutes(hub, new ClusterConnectionDirectory(control, localConnections, node.id()),
                control, node.id(), config.get(Keys.ADMIN_CONNECTIONS_PAGE_MAX), codec, audit, metrics);
        ModerationRoutes moderationRoutes = new ModerationRoutes(hub, bans, sequencer, codec, clientTokens, audit, metrics,
                control, liveFeed, limits.textChars());
        RoomRoutes roomRoutes = new RoomRoutes(hub, store, sequencer, audit, liveFeed, limits.historyPageMax(),
                redis == null ? null : presence, control);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("name", "switchboard");
        identity.put("version", version());
        identity.put("node", installationId);
        identity.put("nodeId", node.id());
        identity.put("database", database.kind());
        SystemRoutes systemRoutes = new SystemRoutes(metrics, audit, config, identity, () -> drain.status().toMap(),
                control::nodes);
        DrainRoutes drainRoutes = new DrainRoutes(drain, audit, node.id());
        PrometheusRoute prometheus = new PrometheusRoute(metrics, config.get(Keys.METRICS_TOKEN));

        this.httpThreads = httpThreadPool(config);
        this.headerDeadline = new HeaderDeadline(config.get(Keys.HTTP_HEADER_TIMEOUT));
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(mapper, false));
            cfg.http.maxRequestSize = config.get(Keys.ADMIN_MAX_BODY);
            cfg.jetty.threadPool = httpThreads;
            // Our own connector (Javalin adds its default one only when there is none) so that it carries the
            // header deadline; Javalin's connector is the same plain HTTP/1.1 one.
            cfg.jetty.addConnector((server, httpConfig) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                connector.setHost(config.get(Keys.HOST));
                connector.setPort(config.get(Keys.PORT));
                connector.addEventListener(headerDeadline);
                return connector;
            });
            // /ws is upgraded by Jetty's own handler in front of the Javalin servlet (Javalin nests itself inside it).
            // Jetty's own refusals (a path that is not UTF-8, an unparsable request, 414, 431 ...) never reach a
            // route: under /api they must still be problem documents, and no page may repeat the URI (tokens).
            ErrorPages errorPages = new ErrorPages();
            cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(errorPages));
            cfg.jetty.modifyServer(server -> server.setErrorHandler(errorPages));
            if (Compression.of(config.get(Keys.WS_COMPRESSION)) == Compression.ON) {
                // Jetty alone keeps a Deflater per connection even without server context takeover (see the class).
                cfg.jetty.modifyServer(PooledDeflateExtension::install);
            }
            cfg.jetty.modifyServer(server -> server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
                // Frames above the soft limit get an error frame from ChatService; far larger ones are cut here.
                container.setMaxTextMessageSize(4L * limits.frameBytes());
                container.setMaxBinaryMessageSize(limits.frameBytes());
                // Backstop only: our own pings count as activity for Jetty, so the heartbeat timer detects silence.
                container.setIdleTimeout(config.get(Keys.HEARTBEAT_TIMEOUT).multipliedBy(2));
                container.addMapping("/ws", socket);
            })));
            cfg.staticFiles.enableWebjars();
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/console";
                sf.directory = "/console";
                sf.location = Location.CLASSPATH;
            });
            if (config.get(Keys.ACCESS_LOG)) {
                Logger access = LoggerFactory.getLogger("io.switchboard.access");
                cfg.requestLogger.http((ctx, ms) -> access.info("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.status().getCode(), Math.round(ms)));
            }
            health.register(cfg);
            cfg.routes.before(SecurityHeaders::apply);
            cfg.routes.before("/api/*", adminGuard::check);
            cfg.routes.before("/api/*", Api::checkQueryEncoding);
            Api api = new Api(cfg, mapper, dbReaders);
            liveFeed.register(api);
            consoleRoutes.register(cfg, api);
            if (config.get(Keys.DEMO)) new DemoRoutes(clientTokens).register(cfg);
            for (String dir : List.of("client", "chat")) {
                cfg.staticFiles.add(sf -> {
                    sf.hostedPath = "/" + dir;
                    sf.directory = "/" + dir;
                    sf.location = Location.CLASSPATH;
                });
            }
            connectionRoutes.register(api);
            moderationRoutes.register(api);
            roomRoutes.register(api);
            systemRoutes.register(api);
            drainRoutes.register(api);
            this.apiRoutes = api.routes();
            prometheus.register(cfg);
            cfg.routes.exception(ApiException.class, (e, ctx) -> e.problem().send(ctx));
            // A client that hangs up in the middle of its request body is gone: nothing to answer, nothing broken.
            cfg.routes.exception(org.eclipse.jetty.io.EofException.class, (e, ctx) -> {
                log.debug("Client closed the connection during its request to {}", ctx.path());
                ctx.status(HttpStatus.BAD_REQUEST);
            });
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (ctx.path().startsWith("/api/")) {
                    String detail = e.getStatus() == 404 ? "no such resource" : e.getMessage();
                    Problem.forStatus(e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(), detail).send(ctx);
                } else {
                    ctx.status(e.getStatus()).result(e.getMessage());
                }
            });
            // Any Accept: API clients that send none or */* (curl) get the problem document too, unless a route
            // already answered with a more precise one.
            cfg.routes.error(404, ctx -> {
                if (ctx.path().startsWith("/api/") && ctx.attribute(Problem.SENT) == null) {
                    Problem.of("not-found", "Not Found", 404, "no such resource").send(ctx);
                }
            });
        });
        long heartbeatMs = heartbeat.toMillis();
        scheduler.scheduleAtFixedRate(keepRunning("heartbeat ping", chat::ping), heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
        // Silence and token expiry are checked far more often than pings are sent, so that a dead connection is
        // closed just after heartbeat.timeout rather than up to a whole interval (or two) later.
        long checkMs = ChatService.checkPeriod(config.get(Keys.HEARTBEAT_TIMEOUT)).toMillis();
        scheduler.scheduleAtFixedRate(keepRunning("liveness check", chat::checkLiveness), checkMs, checkMs, TimeUnit.MILLISECONDS);
        long headerSweepMs = headerDeadline.sweepPeriod().toMillis();
        scheduler.scheduleAtFixedRate(keepRunning("header deadline", headerDeadline::sweep), headerSweepMs, headerSweepMs,
                TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(liveFeed::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Jetty's pool, bounded and shrinking: Jetty lets only one idle thread end per idle timeout by default, so after a
     * burst a pool of hundreds of threads took hours to shrink. Here every thread idle for the idle timeout may end.
     */
    private static QueuedThreadPool httpThreadPool(Config config) {
        int max = config.get(Keys.HTTP_THREADS_MAX);
        int min = config.get(Keys.HTTP_THREADS_MIN); // at most max: Config checks it
        QueuedThreadPool pool = new QueuedThreadPool(max, min, (int) config.get(Keys.HTTP_THREADS_IDLE_TIMEOUT).toMillis());
        pool.setName("switchboard-http");
        pool.setMaxEvictCount(max);
        return pool;
    }

    /** Builds a server from configuration; nothing listens until {@link #start()}. */
    public static SwitchboardServer create(Config config) {
        Path dataDir = Path.of(config.get(Keys.DATA_DIR));
        DataDirLock lock = DataDirLock.acquire(dataDir);
        DatabaseClaim claim = null;
        Database database = null;
        RedisConnections redis = null;
        try {
            // Before the migrations: a node that may not share this database must not touch its schema either.
            claim = DatabaseClaim.take(config);
            Metrics metrics = new Metrics();
            database = Database.open(config, dataDir, metrics.registry());
            NodeIdentity node = NodeIdentity.from(config);
            // Built here, not connected yet (start() does that), so that a failed start-up closes it too.
            if (RedisSettings.configured(config)) redis = new RedisConnections(RedisSettings.from(config, node), metrics);
            return new SwitchboardServer(config, lock, claim, database, metrics, node, redis);
        } catch (SQLException | RuntimeException e) {
            if (redis != null) redis.close();
            if (database != null) database.close();
            if (claim != null) claim.close();
            lock.close();
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException("Start-up failed: " + e.getMessage(), e);
        }
    }

    public SwitchboardServer start() {
        try {
            bans.load(System.currentTimeMillis());
            sessions.load();
            sequencer.start();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read chat state: " + e.getMessage(), e);
        }
        app.start();
        node.bind(app.port());
        if (redis != null) {
            redis.start(); // connects in the background: /ready says when Redis is there
            broker.onRecovered(upkeep::recovered);
            upkeep.start(scheduler, config.get(Keys.CLUSTER_CHECK_INTERVAL), config.get(Keys.PRESENCE_TTL));
        }
        metrics.gauge(Metrics.JETTY_THREADS, httpThreads::getThreads);
        metrics.gauge(Metrics.JETTY_THREADS_BUSY, httpThreads::getBusyThreads);
        metrics.gauge(Metrics.JETTY_QUEUE, httpThreads::getQueueSize);
        return this;
    }

    public int port() {
        return app.port();
    }

    public Config config() {
        return config;
    }

    public Hub hub() {
        return hub;
    }

    public Database database() {
        return database;
    }

    /** The console's live event stream (its stats history, for tests and diagnostics). */
    public LiveFeed liveFeed() {
        return liveFeed;
    }

    public ClientTokens clientTokens() {
        return clientTokens;
    }

    /** What this node says about itself in the cluster's node info (and the single node's Nodes view). */
    private io.switchboard.control.NodeInfo nodeInfo() {
        String problem = redis != null && !redis.isUp() ? "redis unavailable: " + redis.problem() : null;
        return new io.switchboard.control.NodeInfo(node.id(), node.address(), version(), startedAt, System.currentTimeMillis(),
                hub.connectionCount(), hub.userCount(), hub.rooms().size(), metrics.messagesIn.getOneMinuteRate(),
                metrics.deliveries.getOneMinuteRate(), problem == null && !drain.draining(), drain.draining(), problem);
    }

    /** This node's cluster identity (id, advertised address); exists in single mode too. */
    public NodeIdentity node() {
        return node;
    }

    /** The Redis connections in cluster mode; null for a single node. */
    public RedisConnections redis() {
        return redis;
    }

    public String installationId() {
        return installationId;
    }

    /** The console hears of a drain at once (built before the live feed, which it only reaches once started). */
    private void drainChanged(Drain.Status s) {
        liveFeed.nodeChanged(s.toMap());
    }

    /** This node's drain: started by {@link #shutdown()} or {@code POST /api/v1/drain}. */
    public Drain drain() {
        return drain;
    }

    /**
     * The SIGTERM path: drains (or joins a drain already running), then {@link #stop() stops}, all within
     * {@code shutdown.grace} from this call. {@code /ready} is 503 at once; after {@code drain.delay} the chat
     * connections are closed with 1012 spread over {@code drain.window}; then queued writes are stored and the
     * database closed. Blocks until done.
     */
    public void shutdown() {
        long deadline = System.nanoTime() + config.get(Keys.SHUTDOWN_GRACE).toNanos();
        drain.start("SIGTERM");
        // Config guarantees grace >= delay + window + 1s: that last second is for the writes and the database.
        Duration storing = Duration.ofSeconds(1);
        if (!drain.awaitFinished(Duration.ofNanos(deadline - System.nanoTime()).minus(storing))) {
            log.warn("Drain did not finish within shutdown.grace; closing the remaining connections now");
        }
        // Each closed connection writes what was queued for it, then its close frame; stopping Jetty before that
        // is done would turn a 1012 into Jetty's own 1001. Bounded by the outbox's close timeout.
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) - storing.toMillis() / 2;
        socket.awaitSessionsEnded(Duration.ofMillis(Math.max(0, Math.min(3000, leftMs))));
        stop(deadline);
    }

    /**
     * Graceful stop without a drain: closes chat connections with 1001 (1012 when a drain had started), stops
     * accepting, writes what is queued, closes the pool. Idempotent.
     */
    public void stop() {
        stop(System.nanoTime() + config.get(Keys.SHUTDOWN_GRACE).toNanos());
    }

    private void stop(long deadline) {
        if (!stopped.compareAndSet(false, true)) return;
        int open = hub.connectionCount();
        drain.hurry();
        liveFeed.stop();
        boolean draining = drain.draining();
        for (var c : List.copyOf(hub.connections())) {
            if (draining) c.close(CloseCodes.SERVICE_RESTART, Drain.REASON);
            else c.close(CloseCodes.GOING_AWAY, "going_away");
        }
        app.stop();
        scheduler.shutdownNow();
        try {
            long leftMs = Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            if (sequencer.drainAndStop(leftMs)) epoch.markStopped();
            else log.warn("Database writer did not drain within the grace period");
            writers.shutdown();
            dbReaders.shutdown();
            dbReaders.awaitTermination(Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.close();
        if (redis != null) redis.close();
        database.close();
        if (claim != null) claim.close();
        lock.close();
        int drained = draining ? drain.status().closed() : 0;
        log.info("Switchboard stopped ({} chat connection(s) closed{})", open + drained,
                draining ? ", " + drained + " of them by the drain" : "");
    }

    @Override
    public void close() {
        stop();
    }

    private void registerGauges() {
        metrics.gauge(Metrics.CONNECTIONS, hub::connectionCount);
        metrics.gauge(Metrics.USERS_ONLINE, hub::userCount);
        metrics.gauge(Metrics.ROOMS_ACTIVE, () -> hub.rooms().size());
        metrics.gauge(Metrics.WRITE_QUEUE, sequencer::queued);
        metrics.gauge(Metrics.FANOUT_LAG, sequencer::fanoutLagMillis);
        metrics.gauge(Metrics.OUTBOX_DEPTH, () -> hub.connections().stream().mapToLong(c -> c.queued()).sum());
        metrics.gauge(Metrics.OUTBOX_DEPTH_MAX, () -> hub.connections().stream().mapToInt(c -> c.queued()).max().orElse(0));
    }

    /** Every admin API route as "METHOD /path". */
    public List<String> apiRoutes() {
        return apiRoutes;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Bans bans() {
        return bans;
    }

    private static String installationId(Database database) throws SQLException {
        try (Connection c = database.dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM installation");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return rs.getString(1);
            }
            String id = Secrets.random(8);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO installation (id, created_at) VALUES (?, ?)")) {
                ps.setString(1, id);
                ps.setLong(2, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return id;
        }
    }

    static String version() {
        String v = SwitchboardServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * A periodic task that survives its own failure: an exception escaping a task given to scheduleAtFixedRate
     * silently cancels every later run, which would leave dead connections open for good.
     */
    private static Runnable keepRunning(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("Periodic {} failed; it runs again on schedule", what, e);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
