package io.switchboard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that can make the connections through it silently dead: {@link #blackholeExisting()} keeps
 * every current connection open at both ends but drops every byte from then on (as a stuck middlebox or a peer
 * behind a silent network would), while new connections work. No socket error reaches either side.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private record Link(Socket client, Socket server, boolean[] blackholed) {}

    private TcpProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port to 127.0.0.1:{@code targetPort}. */
    public static TcpProxy to(int targetPort) {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            return new TcpProxy(s, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections made through the proxy so far (including closed ones). */
    public int connectionsMade() {
        return links.size();
    }

    /** From now on, every byte on the connections open now is dropped; they stay open. New ones are unaffected. */
    public void blackholeExisting() {
        for (Link l : links) {
            synchronized (l.blackholed) {
                l.blackholed[0] = true;
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                Link link = new Link(client, server, new boolean[1]);
                links.add(link);
                pump(link, client, server, "up");
                pump(link, server, client, "down");
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    boolean drop;
                    synchronized (link.blackholed) {
                        drop = link.blackholed[0];
                    }
                    if (drop) continue;
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                boolean drop;
                synchronized (link.blackholed) {
                    drop = link.blackholed[0];
                }
                // A blackholed connection stays open: its end is what the test pretends never to see.
                if (!drop) closeQuietly(link);
            }
        }, "tcp-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Link l) {
        try {
            l.client.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            l.server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Link l : links) closeQuietly(l);
    }
}
