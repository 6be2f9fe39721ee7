package io.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.switchboard.auth.AdminAuth;
import io.switchboard.auth.ClientTokens;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared plumbing of the admin routes: registration (recorded, so the OpenAPI document can be checked against
 * it), blocking work moved to the database executor, JSON bodies, limits and cursors.
 */
public final class Api {
    private static final Logger log = LoggerFactory.getLogger(Api.class);
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** Work that may block (JDBC); runs on the database executor, never on a Jetty thread. */
    @FunctionalInterface
    public interface Blocking {
        Object run() throws Exception;
    }

    private final JavalinConfig cfg;
    private final ObjectMapper mapper;
    private final Executor blocking;
    private final List<String> routes = new ArrayList<>();

    public Api(JavalinConfig cfg, ObjectMapper mapper, Executor blocking) {
        this.cfg = cfg;
        this.mapper = mapper;
        this.blocking = blocking;
    }

    public void get(String path, Handler h) {
        routes.add("GET " + path);
        cfg.routes.get(path, h);
    }

    public void post(String path, Handler h) {
        routes.add("POST " + path);
        cfg.routes.post(path, h);
    }

    public void delete(String path, Handler h) {
        routes.add("DELETE " + path);
        cfg.routes.delete(path, h);
    }

    /** A Server-Sent Events route (GET). */
    public void sse(String path, java.util.function.Consumer<io.javalin.http.sse.SseClient> client) {
        routes.add("GET " + path);
        io.javalin.http.sse.SseHandler stream = new io.javalin.http.sse.SseHandler(0, client);
        cfg.routes.get(path, ctx -> {
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                Problem.of("not-acceptable", "Not Acceptable", 406, "this is an event stream: send Accept: text/event-stream").send(ctx);
                return;
            }
            stream.handle(ctx);
        });
    }

    /** Every registered "METHOD /path", in Javalin's {param} syntax. */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** Runs {@code work} on the database executor and answers with its result as JSON (204 for null). */
    public void async(Context ctx, int status, Blocking work) {
        CompletableFuture<Object> result;
        try {
            result = CompletableFuture.supplyAsync(() -> {
                try {
                    return work.run();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, blocking);
        } catch (RejectedExecutionException e) {
            Problem.of("busy", "Service Unavailable", 503, "the server is busy, retry shortly").send(ctx);
            return;
        }
        ctx.future(() -> result.handle((value, error) -> {
            if (error != null) {
                fail(ctx, error);
            } else if (value == null) {
                ctx.status(204);
            } else {
                ctx.status(status).json(value);
            }
            return null;
        }));
    }

    public void async(Context ctx, Blocking work) {
        async(ctx, 200, work);
    }

    static void fail(Context ctx, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiException api) {
            api.problem().send(ctx);
        } else {
            log.error("Admin request {} {} failed", ctx.method(), ctx.path(), e);
            Problem.of("internal", "Internal Server Error", 500, "the request failed; see the server log").send(ctx);
        }
    }

    /**
     * The request body as a JSON object: 400 {@code bad-request} when it is missing, not strict UTF-8 (RFC 8259 §8.1:
     * JSON text exchanged between systems is UTF-8), not JSON or not an object. Every JSON body the server reads, under
     * {@code /api} or not, goes through here.
     */
    public JsonNode body(Context ctx) {
        JsonNode node = optionalBody(ctx);
        if (node == null) throw ApiException.badRequest("a JSON object body is required");
        return node;
    }

    /** Like {@link #body} for routes whose body may be left out: null for an empty or all-whitespace body. */
    public JsonNode optionalBody(Context ctx) {
        String text = strictUtf8(ctx.bodyAsBytes());
        if (text.isBlank()) return null;
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null || !node.isObject()) throw ApiException.badRequest("the body must be a JSON object");
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON");
        }
    }

    /**
     * Decodes refusing malformed input: {@code ctx.body()} would turn invalid bytes (and UTF-8-encoded surrogates,
     * which Java's decoder counts as malformed) into U+FFFD, and the replacement would then be stored as if sent.
     */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the body is not valid UTF-8 JSON");
        }
    }

    /**
     * Refuses (400) a query string whose percent-escapes are not UTF-8: the query parameters are decoded leniently
     * (U+FFFD for bad bytes), so without this check {@code ?user=%ff} would quietly become another user id.
     */
    public static void checkQueryEncoding(Context ctx) {
        String raw = ctx.queryString();
        if (raw == null || raw.indexOf('%') < 0) return;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c == '&' || c == '=') {
                bytes.write(' '); // separators end a sequence, as they end a parameter
            } else {
                bytes.write(c < 0x80 ? c : '?');
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the query string is not valid percent-encoded UTF-8");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /**
     * The one user-id rule of the admin API: an id must be one a client token's {@code sub} could hold, checked by the
     * same code that checks tokens ({@link ClientTokens#claimsProblem}), so the rules cannot drift apart.
     *
     * @param what how the id was given, for the detail: {@code "field 'user'"}, {@code "path parameter 'user'"} …
     * @return {@code user}
     * @throws ApiException 422 {@code invalid} naming {@code what} when no token could hold this id
     */
    public static String userId(String what, String user) {
        String problem = ClientTokens.claimsProblem(user, null, null);
        if (problem == null) return user;
        String sub = "sub (user) must ";
        throw ApiException.invalid(what + " is not a valid user id: "
                + (problem.startsWith(sub) ? "it must " + problem.substring(sub.length()) : problem));
    }

    public static String text(JsonNode body, String field, boolean required, int maxChars) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiException.invalid("field '" + field + "' is required");
            return null;
        }
        if (!v.isTextual()) throw ApiException.invalid("field '" + field + "' must be a string");
        String s = v.asText();
        if (s.isBlank()) throw ApiException.invalid("field '" + field + "' must not be empty");
        if (s.length() > maxChars) throw ApiException.invalid("field '" + field + "' must be at most " + maxChars + " characters");
        if (!io.switchboard.protocol.Text.isWellFormed(s)) {
            throw ApiException.invalid("field '" + field + "' is " + io.switchboard.protocol.Text.RULE);
        }
        return s;
    }

    /**
     * An optional free-text query parameter (a reason): null when absent or blank.
     *
     * @throws ApiException 422 when longer than {@code maxChars} or not storable text (see {@link io.switchboard.protocol.Text})
     */
    public static String queryText(Context ctx, String name, int maxChars) {
        String s = ctx.queryParam(name);
        if (s == null || s.isBlank()) return null;
        if (s.length() > maxChars) throw ApiException.invalid(name + " must be at most " + maxChars + " characters");
        if (!io.switchboard.protocol.Text.isWellFormed(s)) throw ApiException.invalid("query parameter '" + name + "' is " + io.switchboard.protocol.Text.RULE);
        return s;
    }

    public static List<String> textList(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw ApiException.invalid("field '" + field + "' must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) throw ApiException.invalid("field '" + field + "' must be an array of strings");
            if (!io.switchboard.protocol.Text.isWellFormed(item.asText())) {
                throw ApiException.invalid("field '" + field + "' has an entry that is " + io.switchboard.protocol.Text.RULE);
            }
            out.add(item.asText());
        }
        return out;
    }

    /** {@code ?limit=} bounded to 1..MAX_LIMIT. */
    public static int limit(Context ctx) {
        return limit(ctx, MAX_LIMIT);
    }

    /** {@code ?limit=} bounded to 1..{@code max} (default {@link #DEFAULT_LIMIT}, or {@code max} when smaller); 400 otherwise. */
    public static int limit(Context ctx, int max) {
        String raw = ctx.queryParam("limit");
        if (raw == null) return Math.min(DEFAULT_LIMIT, max);
        try {
            int n = Integer.parseInt(raw);
            if (n < 1 || n > max) throw ApiException.badRequest("limit must be from 1 to " + max);
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be a whole number");
        }
    }

    public static Long longParam(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null) return null;
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number");
        }
    }

    /** Opaque cursors: the sort key of the last item, base64url-encoded. */
    public static String cursor(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    public static String cursorKey(Context ctx) {
        String raw = ctx.queryParam("cursor");
        if (raw == null || raw.isEmpty()) return null;
        try {
            return new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not one this API returned");
        }
    }

    public static AdminAuth.Admin admin(Context ctx) {
        return ctx.attribute(AdminGuard.ADMIN);
    }

    /**
     * {@code {name: count}}, plus {@code missingNodes} when some live node did not answer in time (its connections are
     * not counted, and the action may still happen there when it gets the command).
     */
    public static java.util.Map<String, Object> counted(String name, int count, io.switchboard.control.ControlBus.Answers answers) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put(name, count);
        if (answers.partial()) out.put("missingNodes", answers.missing());
        return out;
    }

    /** The sum of the other nodes' counts per room (this node's answer, the first, left out). */
    public static java.util.Map<String, Integer> elsewhere(io.switchboard.control.ControlBus.Answers answers) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        var all = answers.answers();
        for (int i = 1; i < all.size(); i++) {
            all.get(i).value().fields().forEachRemaining(e -> out.merge(e.getKey(), e.getValue().asInt(), Integer::sum));
        }
        return out;
    }

    /** The sum of every node's numeric answer (a count of connections reached, kicked, …). */
    public static int sum(io.switchboard.control.ControlBus.Answers answers) {
        int n = 0;
        for (var a : answers.answers()) n += a.value().isNumber() ? a.value().asInt() : 0;
        return n;
    }
}
