package io.switchboard.protocol;

/** A client frame that cannot be served; becomes an {@code error} frame, the connection stays open. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String frameId;

    public ProtocolException(ErrorCode code, String message, String frameId) {
        super(message, null, false, false);
        this.code = code;
        this.frameId = frameId;
    }

    public ErrorCode code() {
        return code;
    }

    public String frameId() {
        return frameId;
    }

    public ServerFrame.Error toFrame() {
        return new ServerFrame.Error(code.wire(), getMessage(), frameId);
    }
}
