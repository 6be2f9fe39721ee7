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

    public void send(Context ctx) {
        ctx.attribute(SENT, Boolean.TRUE);
        ctx.status(status).json(this).contentType(CONTENT_TYPE);
    }
}
