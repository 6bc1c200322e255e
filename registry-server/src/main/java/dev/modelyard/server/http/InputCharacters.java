package dev.modelyard.server.http;

import dev.modelyard.server.error.ErrorCode;

/**
 * Which characters request input may hold. PostgreSQL refuses NUL in text and jsonb, and a
 * control character in a name, id or header is never meant: both are refused at the edge with
 * 400 {@code invalid-character} naming where they were, before anything reaches the database or
 * the file system.
 * <ul>
 *   <li>free text (JSON strings and keys): no C0 control character except tab, line feed and
 *       carriage return, no DEL, no unpaired UTF-16 surrogate (from a {@code \ud800} escape);</li>
 *   <li>path segments, query values and headers: no control character at all.</li>
 * </ul>
 * Names and ids are narrower still; their own rules ({@link Names}) check them.
 */
public final class InputCharacters {

    private InputCharacters() {
    }

    /** The index of the first character free text may not hold, or -1. */
    public static int firstInvalidInText(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) return i;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else return i;
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first character a path segment, query value or header may not hold, or -1. */
    public static int firstInvalidInToken(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) return i;
        }
        return firstInvalidInText(s);
    }

    /** How a refused character is named in a detail: its code point, since it does not print. */
    public static String describe(CharSequence s, int index) {
        return String.format("U+%04X at position %d", (int) s.charAt(index), index);
    }

    /** Refuses a path segment, query value or header value holding a control character. */
    public static String requireToken(String what, String name, String value) {
        if (value == null) return null;
        int bad = firstInvalidInToken(value);
        if (bad >= 0) {
            throw ApiException.parameter(ErrorCode.INVALID_CHARACTER, name, what + " '" + name
                    + "' holds a control character (" + describe(value, bad) + "); remove it");
        }
        return value;
    }
}
