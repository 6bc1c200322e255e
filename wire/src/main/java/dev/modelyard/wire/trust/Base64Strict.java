package dev.modelyard.wire.trust;

import java.util.Base64;

/** Base64 decoding that accepts only the one canonical padded form of each byte string. */
final class Base64Strict {

    private Base64Strict() {
    }

    // The JDK decoder tolerates non-zero bits in the final character; re-encoding and comparing
    // rejects those, so a value has exactly one accepted spelling.
    static byte[] decode(String text, String field) {
        if (text == null) throw new JsonFormatException(field + ": is required");
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(field + ": not valid base64 (" + e.getMessage() + ")");
        }
        if (!Base64.getEncoder().encodeToString(raw).equals(text)) {
            throw new JsonFormatException(field + ": not canonical padded base64");
        }
        return raw;
    }
}
