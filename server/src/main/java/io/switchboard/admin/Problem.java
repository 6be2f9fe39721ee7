package io.switchboard.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;

/** An RFC 9457 problem document; {@code type} is a stable identifier per kind of error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public static Problem of(String kind, String title, int status, String detail) {
        return new Problem("urn:switchboard:problem:" + kind, title, status, detail);
    }

    public void send(Context ctx) {
        ctx.status(status).json(this).contentType(CONTENT_TYPE);
    }
}
