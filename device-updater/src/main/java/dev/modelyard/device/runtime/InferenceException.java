package dev.modelyard.device.runtime;

/** An inference request that cannot be served, with the reason a caller can act on. */
public class InferenceException extends Exception {

    public enum Kind { UNKNOWN_MODEL, BAD_INPUT, FAILED }

    private final Kind kind;

    public InferenceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
