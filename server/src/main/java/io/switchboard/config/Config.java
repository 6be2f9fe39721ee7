package io.switchboard.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Resolved configuration. Precedence, lowest first: defaults, config file, environment, command-line flags.
 * Unknown keys and invalid values fail with a message naming the key.
 */
public final class Config {
    private final Map<String, Object> values;
    private final Map<String, String> sources;

    private Config(Map<String, Object> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key.name());
    }

    /** Where a key's value came from: default, file, env or flag. */
    public String sourceOf(ConfigKey<?> key) {
        return sources.get(key.name());
    }

    /** Configuration from defaults plus the given overrides (by key name); for tests and embedding. */
    public static Config of(Map<String, String> overrides) {
        return load(Map.of(), flagsOf(overrides));
    }

    private static List<String> flagsOf(Map<String, String> overrides) {
        return overrides.entrySet().stream()
                .map(e -> "--" + e.getKey().replace('.', '-') + "=" + e.getValue()).toList();
    }

    /** Resolves configuration from the environment and {@code --key=value} / {@code --key value} flags. */
    public static Config load(Map<String, String> env, List<String> flags) {
        Map<String, ConfigKey<?>> byName = new HashMap<>();
        Map<String, ConfigKey<?>> byEnv = new HashMap<>();
        Map<String, ConfigKey<?>> byFlag = new HashMap<>();
        for (ConfigKey<?> k : Keys.ALL) {
            byName.put(k.name(), k);
            byEnv.put(k.envVar(), k);
            byFlag.put(k.flag(), k);
        }

        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (var e : env.entrySet()) {
            if (!e.getKey().startsWith("SWITCHBOARD_")) continue;
            ConfigKey<?> k = byEnv.get(e.getKey());
            if (k == null) throw new ConfigException("Unknown environment variable " + e.getKey() + " (see README, Configuration)");
            fromEnv.put(k.name(), e.getValue());
        }

        Map<String, String> fromFlags = new LinkedHashMap<>();
        for (int i = 0; i < flags.size(); i++) {
            String arg = flags.get(i);
            String flag = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            ConfigKey<?> k = byFlag.get(flag);
            if (k == null) throw new ConfigException("Unknown option " + flag + " (see --help)");
            if (value == null) {
                if (i + 1 >= flags.size()) throw new ConfigException("Option " + flag + " needs a value");
                value = flags.get(++i);
            }
            fromFlags.put(k.name(), value);
        }

        String file = fromFlags.getOrDefault(Keys.CONFIG.name(), fromEnv.getOrDefault(Keys.CONFIG.name(), ""));
        Map<String, String> fromFile = file.isBlank() ? Map.of() : readFile(Path.of(file), byName);

        Map<String, Object> values = new HashMap<>();
        Map<String, String> sources = new HashMap<>();
        for (ConfigKey<?> k : Keys.ALL) {
            String raw = k.defaultValue();
            String source = "default";
            if (fromFile.containsKey(k.name())) {
                raw = fromFile.get(k.name());
                source = "file " + file;
            }
            if (fromEnv.containsKey(k.name())) {
                raw = fromEnv.get(k.name());
                source = "env " + k.envVar();
            }
            if (fromFlags.containsKey(k.name())) {
                raw = fromFlags.get(k.name());
                source = "flag " + k.flag();
            }
            values.put(k.name(), k.parse(raw, source));
            sources.put(k.name(), source);
        }
        Config config = new Config(values, sources);
        config.validate();
        return config;
    }

    private static Map<String, String> readFile(Path path, Map<String, ConfigKey<?>> byName) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + path + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            if (!byName.containsKey(name) || name.equals(Keys.CONFIG.name())) {
                throw new ConfigException("Unknown key " + name + " in config file " + path);
            }
            out.put(name, props.getProperty(name).trim());
        }
        return out;
    }

    private void validate() {
        if (get(Keys.HEARTBEAT_TIMEOUT).compareTo(get(Keys.HEARTBEAT_INTERVAL)) <= 0) {
            throw new ConfigException("Invalid value for " + Keys.HEARTBEAT_TIMEOUT.name()
                    + ": must be longer than " + Keys.HEARTBEAT_INTERVAL.name());
        }
        java.time.Duration drain = get(Keys.DRAIN_DELAY).plus(get(Keys.DRAIN_WINDOW));
        if (get(Keys.SHUTDOWN_GRACE).compareTo(drain.plusSeconds(1)) < 0) {
            // SIGTERM drains first; a grace that ends inside the drain would stop hard before queued writes are stored.
            throw new ConfigException("Invalid value for " + Keys.SHUTDOWN_GRACE.name() + ": must be at least "
                    + Keys.DRAIN_DELAY.name() + " + " + Keys.DRAIN_WINDOW.name() + " + 1s ("
                    + Parsers.format(drain.plusSeconds(1)) + "), so that a drain on SIGTERM ends and queued writes are"
                    + " stored before the process is stopped hard; raise it or shorten the drain");
        }
        if (get(Keys.HTTP_THREADS_MIN) > get(Keys.HTTP_THREADS_MAX)) {
            throw new ConfigException("Invalid value for " + Keys.HTTP_THREADS_MIN.name() + ": must be at most "
                    + Keys.HTTP_THREADS_MAX.name() + " (" + get(Keys.HTTP_THREADS_MAX) + ")");
        }
        if (get(Keys.OUTBOX_CAPACITY) < 2 * get(Keys.DB_BATCH_SIZE)) {
            // One committed batch is fanned out at once; a smaller outbox would drop healthy clients as slow.
            throw new ConfigException("Invalid value for " + Keys.OUTBOX_CAPACITY.name() + ": must be at least twice "
                    + Keys.DB_BATCH_SIZE.name() + " (" + get(Keys.DB_BATCH_SIZE) + ")");
        }
        String secret = get(Keys.JWT_SECRET);
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("Invalid value for " + Keys.JWT_SECRET.name() + ": must be at least 32 bytes");
        }
        String db = get(Keys.DB_URL);
        if (!get(Keys.REDIS_URL).isBlank() && (db.isBlank() || db.startsWith("jdbc:h2:"))) {
            // Each node would have its own embedded database: a "cluster" of strangers with diverging histories.
            throw new ConfigException("redis.url is set, but the database is the embedded H2: a cluster needs one shared"
                    + " PostgreSQL database; set db.url=jdbc:postgresql://host:5432/db on every node, or unset redis.url"
                    + " to run a single node");
        }
        String admin = get(Keys.ADMIN_TOKEN);
        if (!admin.isEmpty() && admin.length() < 16) {
            throw new ConfigException("Invalid value for " + Keys.ADMIN_TOKEN.name() + ": must be at least 16 characters");
        }
    }

    /** Non-secret settings with their values, for start-up logs and the info endpoint. */
    public Map<String, String> summary() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey<?> k : Keys.ALL) {
            Object v = values.get(k.name());
            String shown = k.secret() ? (render(v).isEmpty() ? "(unset)" : "(set)") : render(v);
            out.put(k.name(), k == Keys.DB_URL ? redactUrl(shown)
                    : k == Keys.REDIS_URL ? io.switchboard.cluster.RedisSettings.redact(shown) : shown);
        }
        return out;
    }

    /** JDBC URLs may carry credentials as parameters (password=…, PASSWORD=…); never show them. */
    public static String redactUrl(String url) {
        return url.replaceAll("(?i)(password|pwd|passwd|secret|key)=[^&;]*", "$1=***");
    }

    private static String render(Object v) {
        if (v instanceof java.time.Duration d) return Parsers.format(d);
        if (v instanceof List<?> l) return String.join(",", l.stream().map(String::valueOf).toList());
        return String.valueOf(v);
    }
}
