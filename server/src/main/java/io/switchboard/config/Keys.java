package io.switchboard.config;

import java.time.Duration;
import java.util.List;

/** Every configuration key Switchboard understands, with its default and documentation. */
public final class Keys {
    private Keys() {}

    private static <T> ConfigKey<T> key(String name, String def, java.util.function.Function<String, T> parser, String doc) {
        return new ConfigKey<>(name, def, parser, false, doc);
    }

    private static ConfigKey<String> secret(String name, String doc) {
        return new ConfigKey<>(name, "", Parsers.text(), true, doc);
    }

    // --- server -------------------------------------------------------------------------------------------------
    public static final ConfigKey<String> CONFIG = key("config", "", Parsers.text(),
            "Optional config file (Java properties, keys as in this table). Not allowed inside the file itself.");
    public static final ConfigKey<String> HOST = key("host", "0.0.0.0", Parsers.text(), "Address to listen on.");
    public static final ConfigKey<Integer> PORT = key("port", "8080", Parsers.integer(0, 65535),
            "HTTP/WebSocket port; 0 picks a free one (the start-up log prints it).");
    public static final ConfigKey<String> DATA_DIR = key("data.dir", "./data", Parsers.text(),
            "Directory for the embedded database, generated secrets and the lock file.");
    public static final ConfigKey<String> LOG_LEVEL = key("log.level", "INFO",
            Parsers.oneOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR"), "Log level of Switchboard's own loggers.");
    public static final ConfigKey<Boolean> ACCESS_LOG = key("access.log", "false", Parsers.bool(),
            "Log one line per HTTP request (not the WebSocket upgrades at /ws: the admin API lists live chat connections).");
    public static final ConfigKey<Duration> SHUTDOWN_GRACE = key("shutdown.grace", "30s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
            "How long a graceful shutdown (SIGTERM: drain, then store queued writes) may take before the process is"
                    + " stopped hard (exit 1). At least drain.delay + drain.window + 1s, else start-up stops.");
    public static final ConfigKey<Duration> DRAIN_DELAY = key("drain.delay", "5s",
            Parsers.durationOrZero(Duration.ofMillis(1), Duration.ofMinutes(5)),
            "A drain (SIGTERM or POST /api/v1/drain) answers /ready with 503 this long before it starts closing chat"
                    + " connections: time for a load balancer to stop sending new ones.");
    public static final ConfigKey<Duration> DRAIN_WINDOW = key("drain.window", "10s",
            Parsers.durationOrZero(Duration.ofMillis(1), Duration.ofMinutes(30)),
            "A drain closes the chat connections (1012 draining) spread evenly over this long, so that clients"
                    + " reconnect elsewhere a few at a time; 0 closes them all at once.");

    public static final ConfigKey<Integer> HTTP_THREADS_MAX = key("http.threads.max", "200", Parsers.integer(8, 10_000),
            "Most threads in the HTTP/WebSocket (Jetty) pool.");
    public static final ConfigKey<Integer> HTTP_THREADS_MIN = key("http.threads.min", "8", Parsers.integer(2, 10_000),
            "Threads the HTTP/WebSocket pool keeps even when idle; at most http.threads.max.");
    public static final ConfigKey<Duration> HTTP_THREADS_IDLE_TIMEOUT = key("http.threads.idle.timeout", "30s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)),
            "An HTTP pool thread idle this long ends (down to http.threads.min); all idle ones may end in one such period.");
    public static final ConfigKey<Duration> HTTP_HEADER_TIMEOUT = key("http.header.timeout", "10s",
            Parsers.duration(Duration.ofMillis(200), Duration.ofMinutes(10)),
            "A request's headers must arrive within this long (from the connection's open or the request's first byte); slower connections are dropped, at most a quarter of it (or 1 s) later.");

    // --- database -----------------------------------------------------------------------------------------------
    public static final ConfigKey<String> DB_URL = key("db.url", "", Parsers.text(),
            "JDBC URL; empty means an embedded H2 file database in the data dir. PostgreSQL: jdbc:postgresql://host:5432/db");
    public static final ConfigKey<String> DB_USER = key("db.user", "", Parsers.text(), "Database user.");
    public static final ConfigKey<String> DB_PASSWORD = secret("db.password", "Database password.");
    public static final ConfigKey<Integer> DB_POOL_SIZE = key("db.pool.size", "8", Parsers.integer(2, 200),
            "Maximum JDBC connections in the pool.");
    public static final ConfigKey<Integer> DB_BATCH_SIZE = key("db.batch.size", "256", Parsers.integer(1, 10_000),
            "Most messages written in one database transaction.");
    public static final ConfigKey<Integer> DB_QUEUE_CAPACITY = key("db.queue.capacity", "4096",
            Parsers.integer(100, 10_000_000),
            "Chat operations waiting for the database writer; beyond it clients are answered 'busy'.");
    /** {@link #DB_DURABILITY} value: every ack survives a crash (kill -9) of the Switchboard process. */
    public static final String DURABILITY_PROCESS = "process";
    /** {@link #DB_DURABILITY} value: every ack also survives a power loss or a kernel crash. */
    public static final String DURABILITY_POWER = "power";
    /** {@value #DURABILITY_PROCESS} or {@value #DURABILITY_POWER}; see docs/architecture.md, "Durability". */
    public static final ConfigKey<String> DB_DURABILITY = key("db.durability", DURABILITY_PROCESS,
            Parsers.oneOf(DURABILITY_PROCESS, DURABILITY_POWER),
            "What an ack survives. process: a crash of the Switchboard process (H2 writes each commit to the OS before"
                    + " the ack). power: also a power loss or OS crash (H2 forces each commit to disk with fsync before"
                    + " the ack; PostgreSQL must run with fsync and synchronous_commit on, else start-up stops).");

    public static final ConfigKey<Duration> DB_H2_COMPACT_INTERVAL = key("db.h2.compact.interval", "0",
            Parsers.durationOrZero(Duration.ofMillis(10), Duration.ofHours(1)),
            "Embedded H2 only, experimental: how often to compact the database file while the server runs (every commit"
                    + " writes its own chunk, so the file grows by several KB per message); 0 (default) is off. NOT safe"
                    + " yet: a kill -9 test with it on lost acked messages (docs/architecture.md, Durability).");
    public static final ConfigKey<Duration> DB_H2_COMPACT_TIME = key("db.h2.compact.time", "200ms",
            Parsers.duration(Duration.ofMillis(10), Duration.ofMinutes(1)),
            "Embedded H2 only: the longest one compaction run may work, in steps of a few ms between commits.");
    public static final ConfigKey<Duration> DB_H2_RETENTION = key("db.h2.retention", "45s",
            Parsers.durationOrZero(Duration.ofMillis(10), Duration.ofHours(1)),
            "Embedded H2 only: how old a dead file chunk must be before its space is reused. 0 keeps the file smallest"
                    + " and is safe against a process crash, but with db.durability=process a power loss could corrupt the file.");

    // --- cluster ------------------------------------------------------------------------------------------------
    public static final ConfigKey<String> REDIS_URL = key("redis.url", "", Parsers.redisUrl(),
            "Redis for cluster mode: redis://[user:password@]host:6379[/db], rediss://... (TLS) or"
                    + " redis-sentinel://[password@]host:26379[,host:port]#master. Set on every node, with a PostgreSQL"
                    + " db.url; empty: a single node. Logged with the password masked.");
    public static final ConfigKey<String> REDIS_PASSWORD = secret("redis.password",
            "Redis password (or the ACL user's, with the user in redis.url); overrides a password in redis.url.");
    public static final ConfigKey<String> REDIS_PREFIX = key("redis.prefix", "switchboard",
            Parsers.matching("[A-Za-z0-9._-]{1,64}", "1 to 64 letters, digits, '.', '_' or '-'"),
            "Prefix of every Redis key and pub/sub channel; clusters sharing one Redis need different prefixes.");
    public static final ConfigKey<Duration> REDIS_TIMEOUT = key("redis.timeout", "2s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(1)),
            "Redis command timeout; also how long the subscription's liveness probe may take before /ready says Redis is down.");
    public static final ConfigKey<String> NODE_ID = key("node.id", "",
            Parsers.matchingOrEmpty("[A-Za-z0-9._-]{1,64}", "1 to 64 letters, digits, '.', '_' or '-'"),
            "This node's id in the cluster (logs, admin API, Redis channel names). Empty: the host name plus a random suffix, new on every start.");
    public static final ConfigKey<String> NODE_ADDRESS = key("node.address", "", Parsers.text(),
            "Address shown for this node in the Nodes view. Empty: host:port of the listener (the host name when host is 0.0.0.0).");
    public static final ConfigKey<Duration> PRESENCE_TTL = key("presence.ttl", "30s",
            Parsers.duration(Duration.ofSeconds(2), Duration.ofHours(1)),
            "Cluster mode: a node refreshes its users' presence well within this; a crashed node's users stay online at most this long.");
    public static final ConfigKey<Duration> CLUSTER_INFO_INTERVAL = key("cluster.info.interval", "1s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(1)),
            "Cluster mode: how often each node publishes its node info (connections, rates, health) to the others.");
    public static final ConfigKey<Duration> CLUSTER_GAP_WAIT = key("cluster.gap.wait", "100ms",
            Parsers.duration(Duration.ofMillis(1), Duration.ofMinutes(1)),
            "Cluster mode: how long a room message that arrived ahead of a missing seq (another node's, still on its way) is held before the missing ones are read from the store.");
    public static final ConfigKey<Duration> CLUSTER_CHECK_INTERVAL = key("cluster.check.interval", "1s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
            "Cluster mode: how often a node compares what it delivered with the store and reads what a lost publication left out (bounds how long a lost last message stays unseen).");

    // --- secrets ------------------------------------------------------------------------------------------------
    public static final ConfigKey<String> ADMIN_TOKEN = secret("admin.token",
            "Admin API token. Unset: generated on first start into <data.dir>/admin.token (owner-only).");
    public static final ConfigKey<List<String>> ADMIN_TOKENS = new ConfigKey<>("admin.tokens", "", Parsers.list(), true,
            "More admin tokens, comma-separated name:role:token (role viewer or operator), e.g. grafana:viewer:<token>.");
    public static final ConfigKey<String> METRICS_TOKEN = secret("metrics.token",
            "Bearer token required by GET /metrics (Prometheus). Unset: /metrics is open, as scrapers expect.");
    public static final ConfigKey<Integer> ADMIN_RATE = key("admin.rate", "50", Parsers.integer(1, 100_000),
            "Admin API requests per second per admin token (bursts of twice that); beyond it 429.");
    public static final ConfigKey<Integer> ADMIN_MAX_BODY = key("admin.max.body.bytes", "65536", Parsers.integer(1024, 16 * 1024 * 1024),
            "Largest admin API request body; larger ones get 413.");
    public static final ConfigKey<Integer> ADMIN_CONNECTIONS_PAGE_MAX = key("admin.connections.page.max", "500",
            Parsers.integer(1, 10_000), "Largest page (limit) of GET /api/v1/connections; a larger limit gets 400.");
    public static final ConfigKey<Duration> CONSOLE_SESSION_TTL = key("console.session.ttl", "8h",
            Parsers.duration(Duration.ofMinutes(1), Duration.ofDays(30)), "How long a web console sign-in lasts.");
    public static final ConfigKey<String> JWT_SECRET = secret("jwt.secret",
            "HS256 secret that signs client tokens (at least 32 bytes). Unset: generated into <data.dir>/jwt.secret.");
    public static final ConfigKey<Duration> JWT_LEEWAY = key("jwt.leeway", "5s",
            Parsers.wholeSeconds(Duration.ZERO, Duration.ofMinutes(5)),
            "Clock skew allowed on client tokens: a token is accepted until exp plus this, at connect and while connected.");

    // --- chat ---------------------------------------------------------------------------------------------------
    public static final ConfigKey<Boolean> DEMO = key("demo", "false", Parsers.bool(),
            "Development only: GET /demo/token?user=NAME hands out client tokens to anyone, for the demo chat page at /chat/.");
    public static final ConfigKey<List<String>> ALLOWED_ORIGINS = key("allowed.origins", "", Parsers.origins(),
            "Comma-separated Origins allowed to open /ws (scheme://host[:port], port 1-65535 without leading zeros), or *. Empty: same origin and clients that send no Origin.");
    /** {@link #WS_COMPRESSION} value: permessage-deflate is never negotiated (the default). */
    public static final String COMPRESSION_OFF = "off";
    /** {@link #WS_COMPRESSION} value: permessage-deflate when the client offers it, without server context takeover. */
    public static final String COMPRESSION_ON = "on";
    /** {@value #COMPRESSION_OFF} or {@value #COMPRESSION_ON}; see README, "WebSocket compression". */
    public static final ConfigKey<String> WS_COMPRESSION = key("ws.compression", COMPRESSION_OFF,
            Parsers.oneOf(COMPRESSION_OFF, COMPRESSION_ON),
            "permessage-deflate (RFC 7692) on /ws. off: never negotiated, clients that offer it (every browser does) get"
                    + " uncompressed frames. on: negotiated when offered, always with server_no_context_takeover; costs"
                    + " CPU per frame and recipient, saves bandwidth mainly on large frames (README, WebSocket compression).");
    public static final ConfigKey<Boolean> ROOMS_AUTOCREATE = key("rooms.autocreate", "true", Parsers.bool(),
            "Create a room on its first join; false: only rooms that already exist can be joined.");
    public static final ConfigKey<Duration> HEARTBEAT_INTERVAL = key("heartbeat.interval", "25s",
            Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
            "How often the server pings each connection; shorter than heartbeat.timeout.");
    public static final ConfigKey<Duration> HEARTBEAT_TIMEOUT = key("heartbeat.timeout", "60s",
            Parsers.duration(Duration.ofMillis(200), Duration.ofHours(1)),
            "A connection that sends nothing (not even a pong) for this long is closed (4000), at most 1 s later (docs/protocol.md, Heartbeats).");
    public static final ConfigKey<Integer> LIMIT_FRAME_BYTES = key("limits.frame.bytes", "16384",
            Parsers.integer(256, 16 * 1024 * 1024),
            "Largest accepted text frame; larger ones get error frame_too_large, above 4x it the socket is closed (1009).");
    public static final ConfigKey<Integer> LIMIT_TEXT_CHARS = key("limits.text.chars", "4000", Parsers.integer(1, 1_000_000),
            "Longest message text, in characters (error text_too_long).");
    public static final ConfigKey<Integer> LIMIT_RATE = key("limits.rate", "20", Parsers.integer(1, 1_000_000),
            "Frames per second per connection, sustained (error rate_limited).");
    public static final ConfigKey<Integer> LIMIT_BURST = key("limits.burst", "40", Parsers.integer(1, 1_000_000),
            "Frames a connection may send in a burst above the sustained rate.");
    public static final ConfigKey<Integer> LIMIT_ROOMS = key("limits.rooms.per.connection", "50", Parsers.integer(1, 100_000),
            "Rooms one connection may be joined to at once (error too_many_rooms).");
    public static final ConfigKey<Integer> LIMIT_CONNECTIONS_PER_USER = key("limits.connections.per.user", "10",
            Parsers.integer(1, 1_000_000), "Simultaneous connections of one user (close 4005).");
    public static final ConfigKey<Integer> LIMIT_CONNECTIONS_PER_IP = key("limits.connections.per.ip", "1000",
            Parsers.integer(1, 10_000_000), "Simultaneous connections from one remote address (close 4005).");
    public static final ConfigKey<Integer> LIMIT_VIOLATIONS = key("limits.violations.per.minute", "30",
            Parsers.integer(1, 1_000_000),
            "Errors a connection may cause per minute (limits, bad frames) before it is closed with 4008.");
    public static final ConfigKey<Integer> OUTBOX_CAPACITY = key("limits.outbox.frames", "1024", Parsers.integer(8, 1_000_000),
            "Frames queued for one slow client before it is disconnected (close 1013 slow_consumer); at least 2x db.batch.size.");
    public static final ConfigKey<Integer> FANOUT_THREADS = key("fanout.threads", "0", Parsers.integer(0, 1024),
            "Threads that write fanned-out frames to sockets; 0 means twice the CPU cores (at least 2).");
    public static final ConfigKey<Duration> FANOUT_LAG_MAX = key("fanout.lag.max", "500ms",
            // At least twice the lag probe's period (50 ms): below that, a busy host's scheduling alone sheds.
            Parsers.durationOrZero(Duration.ofMillis(100), Duration.ofMinutes(10)),
            "Load shedding: while fan-out writes wait longer than this for a writer thread (the node is short of CPU),"
                    + " new send and dm frames are answered busy, so that senders slow down before outboxes overflow;"
                    + " 100ms to 10m, or 0 to turn it off.");
    public static final ConfigKey<Integer> REPLAY_MAX = key("history.replay.max", "500", Parsers.integer(1, 100_000),
            "Most messages replayed by join with since; older ones are paged with history.");
    public static final ConfigKey<Integer> HISTORY_PAGE_MAX = key("history.page.max", "200", Parsers.integer(1, 10_000),
            "Largest history page a client may ask for.");

    public static final List<ConfigKey<?>> ALL = List.of(
            CONFIG, HOST, PORT, DATA_DIR, LOG_LEVEL, ACCESS_LOG, SHUTDOWN_GRACE, DRAIN_DELAY, DRAIN_WINDOW,
            HTTP_THREADS_MAX, HTTP_THREADS_MIN, HTTP_THREADS_IDLE_TIMEOUT, HTTP_HEADER_TIMEOUT,
            DB_URL, DB_USER, DB_PASSWORD, DB_POOL_SIZE, DB_BATCH_SIZE, DB_QUEUE_CAPACITY, DB_DURABILITY,
            DB_H2_COMPACT_INTERVAL, DB_H2_COMPACT_TIME, DB_H2_RETENTION,
            REDIS_URL, REDIS_PASSWORD, REDIS_PREFIX, REDIS_TIMEOUT, NODE_ID, NODE_ADDRESS, PRESENCE_TTL, CLUSTER_INFO_INTERVAL, CLUSTER_CHECK_INTERVAL, CLUSTER_GAP_WAIT,
            ADMIN_TOKEN, ADMIN_TOKENS, METRICS_TOKEN, ADMIN_RATE, ADMIN_MAX_BODY, ADMIN_CONNECTIONS_PAGE_MAX, CONSOLE_SESSION_TTL, JWT_SECRET, JWT_LEEWAY,
            DEMO, ALLOWED_ORIGINS, WS_COMPRESSION, ROOMS_AUTOCREATE, HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT,
            LIMIT_FRAME_BYTES, LIMIT_TEXT_CHARS, LIMIT_RATE, LIMIT_BURST, LIMIT_ROOMS,
            LIMIT_CONNECTIONS_PER_USER, LIMIT_CONNECTIONS_PER_IP, LIMIT_VIOLATIONS, OUTBOX_CAPACITY,
            FANOUT_THREADS, FANOUT_LAG_MAX, REPLAY_MAX, HISTORY_PAGE_MAX);
}
