package io.switchboard.bench;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The ceiling of our stack: a minimal Jetty 12 WebSocket room broadcaster with no auth, persistence or JSON. The
 * first text frame is {@code join:<room>} (answered {@code joined:<room>}, so a client knows it is a member);
 * every later text frame goes as-is to every member of the room, the sender included, as Switchboard echoes a
 * message to its sender. Sends use Jetty's own (unbounded) frame queue. {@code GET /heap} reports heap use.
 *
 * <p>{@code java -cp switchboard-bench.jar io.switchboard.bench.BaselineServer --port P [--host 127.0.0.1]}
 */
public final class BaselineServer {
    static final String JOIN = "join:";
    static final String JOINED = "joined:";

    private final Map<String, Set<Member>> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        int port = 8090;
        String host = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--host" -> host = args[++i];
                default -> {
                    System.err.println("usage: BaselineServer --port P [--host 127.0.0.1]");
                    System.exit(2);
                }
            }
        }
        new BaselineServer().start(host, port).join();
    }

    Server start(String host, int port) throws Exception {
        Server server = new Server(new QueuedThreadPool(200, 8));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.setMaxTextMessageSize(1 << 20);
            container.addMapping("/ws", (request, response, callback) -> new Member(this));
        });
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!"/heap".equals(Request.getPathInContext(request))) return false;
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                Content.Sink.write(response, true, "heap_used " + used + "\nconnections " + connections.get() + "\n", callback);
                return true;
            }
        });
        server.setHandler(ws);
        server.setStopTimeout(2000);
        server.start();
        System.out.println("baseline listening on " + new InetSocketAddress(host, connector.getLocalPort()));
        return server;
    }

    /** One connection; public because Jetty reaches listeners reflectively. */
    public static final class Member extends Session.Listener.AbstractAutoDemanding {
        private final BaselineServer server;
        private volatile String room;

        Member(BaselineServer server) {
            this.server = server;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            server.connections.incrementAndGet();
        }

        @Override
        public void onWebSocketText(String text) {
            String r = room;
            if (r == null) {
                if (!text.startsWith(JOIN) || text.length() == JOIN.length()) {
                    getSession().close(1008, "join first", org.eclipse.jetty.websocket.api.Callback.NOOP);
                    return;
                }
                r = text.substring(JOIN.length());
                server.rooms.compute(r, (k, set) -> {
                    Set<Member> members = set != null ? set : ConcurrentHashMap.newKeySet();
                    members.add(this);
                    return members;
                });
                room = r;
                getSession().sendText(JOINED + r, org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            Set<Member> members = server.rooms.get(r);
            if (members == null) return;
            for (Member m : members) {
                Session s = m.getSession();
                if (s != null && s.isOpen()) s.sendText(text, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            server.connections.decrementAndGet();
            String r = room;
            if (r != null) {
                server.rooms.computeIfPresent(r, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
