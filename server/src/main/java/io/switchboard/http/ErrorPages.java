package io.switchboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.admin.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers to requests Jetty refuses before any route sees them: a path that is not percent-encoded UTF-8
 * ({@code /api/v1/rooms/%ff}), an ambiguous or unparsable URI, a URI or headers over Jetty's limits (414, 431), and
 * any other error page Jetty writes itself.
 *
 * <p>Under {@code /api}, and for requests too malformed to have a path at all, the answer is the API's RFC 9457
 * problem document ({@code bad-request} for 400, {@code http-<status>} for the others; see {@link Problem#forStatus}).
 * Elsewhere it is a short HTML page. Unlike Jetty's own pages, neither ever repeats the request URI or Jetty's message
 * (a URI may carry a token: {@code /ws?token=…}), and every method gets a body: Jetty writes one for GET, POST and HEAD
 * only, which left {@code DELETE} refusals empty.
 */
public final class ErrorPages extends ErrorHandler {
    /** The path Jetty gives a request it could not parse at all (its real path is unknown). */
    private static final String UNPARSED = "/badMessage";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
            response.setStatus(status);
        }
        if (status < 400) { // an error page without an error status: never answer 200 with an error body
            status = 500;
            response.setStatus(status);
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        String title = HttpStatus.getMessage(status);
        byte[] body;
        if (problemDocument(rawPath(request))) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE + ";charset=utf-8");
            body = problem(status, title);
        } else {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
            body = ("<!doctype html>\n<html><head><title>" + status + " " + title + "</title></head>\n<body><h1>"
                    + status + " " + title + "</h1></body></html>\n").getBytes(StandardCharsets.UTF_8);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static String rawPath(Request request) {
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        return path == null ? UNPARSED : path;
    }

    /**
     * Whether the refused request is an admin API one. Decided on the raw, still-encoded path (decoding is what may
     * have failed); {@code %61pi} and the like are decoded byte-wise first so that they count as {@code api} too.
     */
    static boolean problemDocument(String rawPath) {
        if (rawPath.equals(UNPARSED)) return true;
        String path = asciiDecoded(rawPath);
        return path.equals("/api") || path.startsWith("/api/") || path.startsWith("/api;");
    }

    private static String asciiDecoded(String raw) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), 16));
        for (int i = 0; i < raw.length() && out.length() < 16; i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.append((char) (hi * 16 + lo));
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static byte[] problem(int status, String title) {
        String detail = switch (status) {
            case 400 -> "the request is malformed: its path is not percent-encoded UTF-8, is ambiguous, or the request"
                    + " line or headers cannot be parsed";
            case 414 -> "the request URI is too long";
            case 431 -> "the request headers are too large";
            default -> "the server refused the request before it reached the API";
        };
        try {
            return JSON.writeValueAsBytes(Problem.forStatus(status, title, detail));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a record of strings and an int always serialises
        }
    }
}
