package dev.modelyard.delta;

import java.io.IOException;

/**
 * A delta that cannot be applied: malformed, made for another base, or rebuilding something
 * other than its target. The device falls back to the full download on any of them.
 */
public final class DeltaFormatException extends IOException {

    /** Why, for logs and the fallback's report. */
    public enum Reason { MALFORMED, UNSUPPORTED_VERSION, WRONG_BASE, TARGET_MISMATCH }

    private final Reason reason;

    public DeltaFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
