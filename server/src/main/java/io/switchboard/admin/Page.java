package io.switchboard.admin;

import java.util.List;
import java.util.function.Function;

/** A page of a list and the opaque cursor of the next page (null on the last one). */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * Builds a page from up to {@code limit + 1} rows in order: the extra row only tells that more exist; the cursor is
     * the sort key of the last row shown.
     */
    public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> key) {
        if (rows.size() <= limit) return new Page<>(rows, null);
        List<T> shown = rows.subList(0, limit);
        return new Page<>(shown, Api.cursor(key.apply(shown.get(limit - 1))));
    }

    /** The same items as another type (same cursor). */
    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), nextCursor);
    }
}
