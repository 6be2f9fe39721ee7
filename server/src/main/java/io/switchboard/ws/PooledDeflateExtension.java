package io.switchboard.ws;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.core.ExtensionConfig;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.internal.PerMessageDeflateExtension;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * Jetty's permessage-deflate, except that with {@code server_no_context_takeover} a connection really holds no
 * Deflater between messages. Jetty 12.1.12 hands the Deflater back to its pool after a message's last frame, and
 * then at once takes one again only to clear its input ({@code getDeflater().setInput(EMPTY_BUFFER)} in
 * {@code OutgoingFlusher.onFrame}, from the fix for jetty/jetty.project#13029): every connection that was sent one
 * message keeps a Deflater (~256 KiB of zlib state, allocated at creation) until it closes, as with context
 * takeover. Here that one call gets a stand-in that has nothing to clear. Compression itself is Jetty's, unchanged.
 * {@code PooledDeflateExtensionTest} shows the difference; when it no longer finds one, this class can go.
 */
public final class PooledDeflateExtension extends PerMessageDeflateExtension {
    /**
     * What the clearing call gets right after a message. Ended at once (it holds no zlib memory); fails loudly should
     * a later Jetty feed it data, instead of compressing nothing.
     */
    private static final Deflater CLEARED = new Deflater() {
        {
            end();
        }

        @Override
        public void setInput(ByteBuffer input) {
            if (input.hasRemaining()) throw new IllegalStateException("Jetty compressed with the stand-in Deflater");
        }
    };

    private boolean handBack;
    /** A message's last frame has just gone on with its Deflater returned: the next getDeflater() only clears input. */
    private boolean messageDone;

    /** Puts this class in place of Jetty's for permessage-deflate on every WebSocket of {@code server}. */
    public static void install(Server server) {
        WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(server);
        components.getExtensionRegistry().getAvailableExtensions().put("permessage-deflate", PooledDeflateExtension.class);
    }

    @Override
    public void init(ExtensionConfig config, WebSocketComponents components) {
        super.init(config, components);
        handBack = getConfig().getParameterKeys().contains("server_no_context_takeover");
    }

    @Override
    protected void nextOutgoingFrame(OutgoingEntry entry) {
        Frame frame = entry.getFrame();
        super.nextOutgoingFrame(entry); // releases the Deflater after a message's last frame, as configured
        messageDone = handBack && frame.isFin() && frame.isDataFrame(); // control frames never touch the Deflater
    }

    @Override
    public Deflater getDeflater() {
        if (messageDone) {
            messageDone = false;
            return CLEARED;
        }
        return super.getDeflater();
    }
}
