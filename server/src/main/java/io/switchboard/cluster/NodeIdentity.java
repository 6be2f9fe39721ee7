package io.switchboard.cluster;

import io.switchboard.auth.Secrets;
import io.switchboard.config.Config;
import io.switchboard.config.Keys;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Who this node is in the cluster: its id (in logs, the API, Redis channel and key names) and the address it
 * advertises in the Nodes view.
 */
public final class NodeIdentity {
    private final String id;
    private final String configuredAddress;
    private final String host;
    private volatile String address;

    private NodeIdentity(String id, String configuredAddress, String host, int port) {
        this.id = id;
        this.configuredAddress = configuredAddress;
        this.host = host;
        this.address = configuredAddress.isBlank() ? hostPort(host, port) : configuredAddress;
    }

    /**
     * Resolves the identity from {@code node.id} and {@code node.address}; a generated id is new on every call, so
     * call it once per server. Until {@link #bind} the default address carries the configured port.
     */
    public static NodeIdentity from(Config config) {
        String id = config.get(Keys.NODE_ID);
        if (id.isBlank()) id = generatedId(hostName());
        String host = config.get(Keys.HOST);
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) host = hostName();
        return new NodeIdentity(id, config.get(Keys.NODE_ADDRESS), host, config.get(Keys.PORT));
    }

    /** A fixed identity (tests, tools). */
    public static NodeIdentity of(String id, String address) {
        return new NodeIdentity(id, address, "", 0);
    }

    /**
     * {@code node.id}, or when unset the host name plus a random suffix, e.g. {@code web-3-k4f9q2}: unique per
     * process, so a restarted node is a new node.
     */
    public String id() {
        return id;
    }

    /**
     * {@code node.address}, or when unset {@code host:port} of the HTTP listener (the machine's host name when it
     * listens on every interface).
     */
    public String address() {
        return address;
    }

    /** Records the port the listener got (port 0 picks one at start) for the default address. */
    public void bind(int port) {
        if (configuredAddress.isBlank()) address = hostPort(host, port);
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return id + " (" + address + ")";
    }

    /** {@code <host>-<6 random characters>}, the host part cut to what {@code node.id} allows. */
    static String generatedId(String host) {
        String base = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        if (base.length() > 40) base = base.substring(0, 40);
        if (base.isEmpty()) base = "node";
        return base + "-" + Secrets.random(6).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x").substring(0, 6);
    }

    /**
     * The machine's name without a DNS lookup where possible ({@code InetAddress.getLocalHost()} may block on a
     * resolver): $HOSTNAME, then the kernel's name, then Java's answer.
     */
    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env.trim();
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel).trim();
                if (!name.isEmpty()) return name;
            }
        } catch (IOException ignored) {
            // fall through to Java's view
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "node";
        }
    }
}
