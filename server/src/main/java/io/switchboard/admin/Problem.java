package io.switchboard.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;

/** An RFC 9457 problem document; {@code type} is a stable identifier per kind of error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail) {
    public static final String CONTENT_TYPE = "application/problem+json";
    /** Request attribute marking that a problem was already written, so the generic 404 leaves it alone. */
    public static final String SENT = "switchboard.problem";

    public static Problem of(String kind, String title, int status, String detail) {
        return new Problem("urn:switchboard:problem:" + kind, title, status, detail);
    }

    /**
     * The problem document for an HTTP error that no route chose a kind for (Javalin's or Jetty's): 400
     * {@code bad-request}, 404 {@code not-found}, 405 {@code method-not-allowed}, 413 {@code too-large}, otherwise
     * {@code http-<status>}.
     *
     * @param detail for humans; never the request URI or a header value, which may carry a token
     */
    public static Problem forStatus(int status, String title, String detail) {
        String kind = switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "too-large";
            default -> "http-" + status;
        };
        return of(kind, title, status, detail);
    }

    public void send(Context ctx) {
        ctx.attribute(SENT, Boolean.TRUE);
        ctx.status(status).json(this).contentType(CONTENT_TYPE);
    }
}
