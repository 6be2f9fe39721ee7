package io.switchboard.chat;

import java.util.regex.Pattern;

/**
 * The one rule for room names (1 to 64 letters, digits or {@code _.:@#-}, starting with a letter or digit) and for
 * the room patterns of a client token's {@code rooms} claim: a room name, or a prefix of one followed by {@code *}
 * ({@code team-*}; a lone {@code *} allows every room).
 */
public final class RoomNames {
    public static final int MAX_CHARS = 64;
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_.:@#-]{0,63}");
    private static final Pattern PREFIX_PATTERN = Pattern.compile("([\\p{L}\\p{N}][\\p{L}\\p{N}_.:@#-]{0,62})?\\*");

    private RoomNames() {}

    /** True for a valid room name; false for null. */
    public static boolean isValid(String room) {
        return room != null && NAME.matcher(room).matches();
    }

    /** True for a valid entry of a token's {@code rooms} claim: a room name or a name prefix ending in {@code *}. */
    public static boolean isValidPattern(String pattern) {
        return pattern != null && (NAME.matcher(pattern).matches() || PREFIX_PATTERN.matcher(pattern).matches());
    }
}
