package io.switchboard.ws;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.switchboard.auth.ClientPrincipal;
import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.TokenRejected;
import io.switchboard.chat.ChatService;
import io.switchboard.chat.Connection;
import io.switchboard.protocol.CloseCodes;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** Adapts Javalin's WebSocket events on {@code /ws} to {@link ChatService}. Authenticates at the upgrade. */
public final class ChatSocket {
    private static final String PRINCIPAL = "switchboard.principal";
    private static final String REJECTED = "switchboard.rejected";
    private static final String CONNECTION = "switchboard.connection";
    private static final int MAX_USER_AGENT = 256;

    private final ChatService chat;
    private final ClientTokens tokens;
    private final OriginPolicy origins;
    private final ScheduledExecutorService scheduler;
    private final int outboxCapacity;

    public ChatSocket(ChatService chat, ClientTokens tokens, List<String> allowedOrigins,
                      ScheduledExecutorService scheduler, int outboxCapacity) {
        this.chat = chat;
        this.tokens = tokens;
        this.origins = new OriginPolicy(allowedOrigins);
        this.scheduler = scheduler;
        this.outboxCapacity = outboxCapacity;
    }

    /** Runs before the upgrade: refuses foreign origins outright and verifies the token. */
    public void beforeUpgrade(Context ctx) {
        if (!origins.allows(ctx.header("Origin"), ctx.header("Host"))) {
            throw new ForbiddenResponse("origin not allowed");
        }
        String token = ctx.queryParam("token");
        String auth = ctx.header("Authorization");
        if ((token == null || token.isEmpty()) && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        ClientTokens.Result result = tokens.verify(token);
        if (result.principal() != null) {
            ctx.attribute(PRINCIPAL, result.principal());
        } else {
            // Refused right after the upgrade, so that browsers, which cannot read an HTTP status, see why.
            ctx.attribute(REJECTED, result.rejected());
        }
    }

    public void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onMessage(ctx -> {
            Connection c = connection(ctx);
            if (c != null) chat.onText(c, ctx.message());
        });
        ws.onBinaryMessage(ctx -> {
            Connection c = connection(ctx);
            if (c != null) chat.onBinary(c);
        });
        ws.onClose(ctx -> {
            Connection c = connection(ctx);
            if (c != null) c.transportClosed();
        });
        ws.onError(ctx -> {
            Connection c = connection(ctx);
            if (c != null) c.transportClosed();
        });
    }

    private void connect(WsConnectContext ctx) {
        TokenRejected rejected = ctx.attribute(REJECTED);
        ClientPrincipal principal = ctx.attribute(PRINCIPAL);
        if (rejected != null || principal == null) {
            boolean expired = rejected != null && rejected.expired();
            ctx.closeSession(expired ? CloseCodes.TOKEN_EXPIRED : CloseCodes.UNAUTHORIZED,
                    rejected == null ? "token_missing" : rejected.reason());
            return;
        }
        Outbox outbox = new Outbox(ctx.session, outboxCapacity, scheduler, Duration.ofSeconds(2));
        String userAgent = ctx.header("User-Agent");
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) userAgent = userAgent.substring(0, MAX_USER_AGENT);
        Connection c = chat.open(principal, address(ctx.session.getRemoteSocketAddress()), userAgent, outbox);
        if (c != null) ctx.attribute(CONNECTION, c);
    }

    private static Connection connection(WsContext ctx) {
        return ctx.attribute(CONNECTION);
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(a);
    }
}
