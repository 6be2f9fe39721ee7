package io.switchboard.protocol;

/** Checks on text that crosses a trust boundary (client frames, admin API bodies, token claims). */
public final class Text {
    private Text() {}

    /** What {@link #isWellFormed} refuses, for error messages. */
    public static final String RULE = "not valid Unicode text (it contains a lone surrogate or U+0000)";

    /**
     * True when {@code s} is well-formed UTF-16 (every surrogate is part of a pair) and holds no U+0000. A lone
     * surrogate has no UTF-8 form, so a store would replace it (H2 writes '?', PostgreSQL refuses it) and history
     * would differ from what was acked; PostgreSQL's text cannot hold U+0000 at all. Text is refused at the edge
     * instead, the same on every store. Linear, no allocation.
     */
    public static boolean isWellFormed(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) return false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return false;
            }
            if (Character.isLowSurrogate(c)) return false;
        }
        return true;
    }
}
