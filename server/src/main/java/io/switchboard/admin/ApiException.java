package io.switchboard.admin;

/** A request the admin API refuses; becomes a problem document with this status and kind. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String kind;
    private final String title;

    public ApiException(int status, String kind, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.kind = kind;
        this.title = title;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad-request", "Bad Request", detail);
    }

    public static ApiException invalid(String detail) {
        return new ApiException(422, "invalid", "Unprocessable Content", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", "Not Found", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "conflict", "Conflict", detail);
    }

    public Problem problem() {
        return Problem.of(kind, title, status, getMessage());
    }
}
