package io.switchboard.client;

/**
 * The client stopped for good: closed by the application ({@code closeCode} 1000), by a terminal close code
 * (4001 with no token supplier, 4002 with a fixed token, 4003 banned) or after {@code maxTries} failed attempts
 * ({@code closeCode} -1). Pending requests fail with it.
 */
public final class ClientClosedException extends SwitchboardException {
    private final int closeCode;
    private final String reason;

    public ClientClosedException(int closeCode, String reason) {
        super("closed", "client closed (" + closeCode + " " + reason + ")");
        this.closeCode = closeCode;
        this.reason = reason;
    }

    public int closeCode() {
        return closeCode;
    }

    public String reason() {
        return reason;
    }
}
