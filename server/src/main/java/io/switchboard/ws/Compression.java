package io.switchboard.ws;

import io.switchboard.config.Keys;
import java.util.List;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;

/**
 * What /ws answers to a client's offer of permessage-deflate (RFC 7692), as {@code ws.compression} says. Left to
 * itself Jetty accepts every offer with context takeover, which keeps a zlib Deflater (and, once the client sends
 * compressed frames, an Inflater) alive for the whole life of every browser connection.
 */
public enum Compression {
    /** Never negotiated: the upgrade response carries no extension and every frame goes uncompressed. */
    OFF,
    /**
     * Negotiated when offered, always with {@code server_no_context_takeover} (RFC 7692 §7.1.1.1 lets the server add
     * it unasked): every message is compressed on its own, so that Jetty may hand the Deflater back to its pool after
     * each message instead of keeping a compression window per connection. {@code client_no_context_takeover} is
     * answered when the client offered it, and then Jetty releases the Inflater after each incoming message too.
     */
    ON;

    static final String PERMESSAGE_DEFLATE = "permessage-deflate";

    // Parsed once (Jetty finds its parser through a ServiceLoader); never changed: Jetty copies what it is given.
    private static final ExtensionConfig SERVER_NO_TAKEOVER =
            ExtensionConfig.parse(PERMESSAGE_DEFLATE + "; server_no_context_takeover");
    private static final ExtensionConfig NO_TAKEOVER =
            ExtensionConfig.parse(PERMESSAGE_DEFLATE + "; client_no_context_takeover; server_no_context_takeover");

    /** The mode of a {@link Keys#WS_COMPRESSION} value (already checked by the configuration). */
    public static Compression of(String setting) {
        return Keys.COMPRESSION_ON.equals(setting) ? ON : OFF;
    }

    /**
     * Sets the extensions of the upgrade response: permessage-deflate as this mode allows, and nothing else. Jetty's
     * other extensions ({@code identity}, {@code fragment}) are test aids that no browser offers; a client asking for
     * {@code fragment} with a tiny {@code maxLength} could make the server cut every frame into many.
     */
    void negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response) {
        ExtensionConfig deflate = this == ON ? accept(request.getExtensions()) : null;
        response.setExtensions(deflate == null ? List.of() : List.of(deflate));
    }

    /**
     * The answer to the first permessage-deflate offer this server can accept, or null when there is none (the
     * connection then works uncompressed). An offer is declined (RFC 7692 §5) when it holds a parameter we cannot
     * honour: {@code server_max_window_bits} (Jetty always compresses with a 15-bit window, and could not say so in
     * its answer) or one that RFC 7692 does not define. {@code client_max_window_bits} (Chrome's offer) needs no
     * answer: left out, it tells the client that the server inflates windows of any size, which Jetty does.
     */
    /**
     * RFC 7692 §7.1.2.2: {@code client_max_window_bits} may come without a value, or with a decimal integer from 8 to
     * 15 and no leading zeros; an offer with any other value must be declined.
     */
    private static boolean windowBitsValid(String value) {
        return value == null || value.matches("[89]|1[0-5]");
    }

    static ExtensionConfig accept(List<ExtensionConfig> offers) {
        for (ExtensionConfig offer : offers) {
            if (!PERMESSAGE_DEFLATE.equalsIgnoreCase(offer.getName())) continue;
            boolean acceptable = true;
            for (String parameter : offer.getParameterKeys()) {
                String value = offer.getParameter(parameter, null);
                // RFC 7692 §7: the no_context_takeover parameters take no value; an offer giving one is declined.
                acceptable &= ((parameter.equals("client_no_context_takeover") || parameter.equals("server_no_context_takeover"))
                        && value == null)
                        || (parameter.equals("client_max_window_bits") && windowBitsValid(value));
            }
            if (acceptable) return offer.getParameterKeys().contains("client_no_context_takeover") ? NO_TAKEOVER : SERVER_NO_TAKEOVER;
        }
        return null;
    }
}
