package io.switchboard.cluster;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.config.Keys;
import io.switchboard.logging.Redaction;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster's Redis settings resolved from configuration: where Redis is ({@code redis.url}, with the password
 * from {@code redis.password} taking precedence over one in the URL), the key prefix, the command timeout, and this
 * node's identity. Never renders the password: {@link #redactedUrl()} is the form for logs and the API.
 *
 * @param uri         Lettuce's parsed URI, credentials applied (never log it directly: use {@link #redactedUrl()})
 * @param redactedUrl the URL as configured with any password replaced by {@value Redaction#MASK}
 * @param prefix      prefix of every Redis key and channel, e.g. {@code switchboard}
 * @param timeout     command timeout, also how long a liveness probe may take to come back
 * @param node        this node's id and advertised address
 * @param presenceTtl how long a node's presence entries live without being refreshed
 * @param infoInterval how often a node publishes its node info
 */
public record RedisSettings(RedisURI uri, String redactedUrl, String prefix, Duration timeout, NodeIdentity node,
                            Duration presenceTtl, Duration infoInterval) {
    /** {@code scheme://userinfo@}: the user info of a URL (Lettuce reads {@code pw@} alone as a password). */
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^@/?#]*)@");

    /** True when {@code redis.url} is set, i.e. this node runs in cluster mode. */
    public static boolean configured(Config config) {
        return !config.get(Keys.REDIS_URL).isBlank();
    }

    /**
     * The settings of the node {@code node}.
     *
     * @throws ConfigException when {@code redis.url} is not set or not a Redis URL (the message never holds the password)
     */
    public static RedisSettings from(Config config, NodeIdentity node) {
        String url = config.get(Keys.REDIS_URL);
        if (url.isBlank()) throw new ConfigException("redis.url is not set");
        RedisURI uri = parse(url, config.get(Keys.REDIS_PASSWORD));
        uri.setTimeout(config.get(Keys.REDIS_TIMEOUT));
        return new RedisSettings(uri, redact(url), config.get(Keys.REDIS_PREFIX), config.get(Keys.REDIS_TIMEOUT),
                node, config.get(Keys.PRESENCE_TTL), config.get(Keys.CLUSTER_INFO_INTERVAL));
    }

    /**
     * Parses a {@code redis://}, {@code rediss://} (TLS) or {@code redis-sentinel://} URL with Lettuce's rules; a
     * non-empty {@code password} replaces the URL's password and keeps its user.
     *
     * @throws ConfigException naming {@code redis.url} and what is wrong, with the URL shown redacted
     */
    public static RedisURI parse(String url, String password) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("Invalid value for redis.url (" + redact(url) + "): " + safeMessage(e, url, password)
                    + "; expected redis://[user:password@]host:port[/db], rediss://... for TLS or"
                    + " redis-sentinel://[password@]host:port[,host:port]/[db]#master");
        }
        boolean sentinel = !uri.getSentinels().isEmpty();
        if (!sentinel && (uri.getHost() == null || uri.getHost().isBlank() || uri.getHost().contains(":"))) {
            throw new ConfigException("Invalid value for redis.url (" + redact(url) + "): expected host:port after the scheme");
        }
        if (sentinel && (uri.getSentinelMasterId() == null || uri.getSentinelMasterId().isBlank())) {
            throw new ConfigException("Invalid value for redis.url (" + redact(url) + "): a redis-sentinel:// URL needs the"
                    + " master's name after #, e.g. redis-sentinel://host:26379#mymaster");
        }
        if (password != null && !password.isEmpty()) {
            String user = null;
            if (uri.getCredentialsProvider() != null) {
                RedisCredentials given = uri.getCredentialsProvider().resolveCredentials().block();
                if (given != null && given.hasUsername()) user = given.getUsername();
            }
            uri.setCredentialsProvider(new io.lettuce.core.StaticCredentialsProvider(user, password.toCharArray()));
        }
        return uri;
    }

    /** Lettuce's message, with the URL's user info and the password masked should either ever appear in it. */
    private static String safeMessage(RuntimeException e, String url, String password) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher info = USER_INFO.matcher(url.trim());
        if (info.find() && !info.group(2).isEmpty()) m = m.replace(info.group(2), Redaction.MASK);
        if (password != null && !password.isEmpty()) m = m.replace(password, Redaction.MASK);
        return m;
    }

    /**
     * The URL for logs and the API: {@code redis://user:pw@h} becomes {@code redis://user:[redacted]@h}, and
     * {@code redis://pw@h} (a password without user) {@code redis://[redacted]@h}.
     */
    public static String redact(String url) {
        Matcher m = USER_INFO.matcher(url.trim());
        if (!m.find()) return url.trim();
        String info = m.group(2);
        int colon = info.indexOf(':');
        String shown = colon >= 0 ? info.substring(0, colon) + ":" + Redaction.MASK : Redaction.MASK;
        return m.group(1) + shown + "@" + url.trim().substring(m.end());
    }

    /** The pub/sub channel of one node: commands and replies addressed to it, and its subscription's liveness probe. */
    public String nodeChannel(String nodeId) {
        return prefix + ":node:" + nodeId;
    }

    /** This node's own channel ({@link #nodeChannel(String)} of {@link NodeIdentity#id()}). */
    public String ownChannel() {
        return nodeChannel(node.id());
    }

    @Override
    public String toString() {
        return "RedisSettings[" + redactedUrl + ", prefix=" + prefix + ", timeout=" + timeout.toMillis() + "ms, node="
                + node.id() + "]";
    }
}
