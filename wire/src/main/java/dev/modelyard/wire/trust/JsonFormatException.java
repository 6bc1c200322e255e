package dev.modelyard.wire.trust;

/**
 * A JSON text or a JSON value that is not acceptable as signed metadata: a syntax error, a
 * construct the trust format forbids (fractions, duplicate keys) or a field of the wrong shape.
 * The message names the offset or the field.
 */
public class JsonFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public JsonFormatException(String message) {
        super(message);
    }
}
