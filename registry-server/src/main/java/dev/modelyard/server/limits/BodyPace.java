package dev.modelyard.server.limits;

import java.time.Duration;

/**
 * How slowly a request body may arrive: at least {@code minBytesPerSecond} averaged over
 * {@code window}. A value, so a tenant's settings can later replace the server-wide one.
 */
public record BodyPace(long minBytesPerSecond, Duration window) {

    public boolean off() {
        return minBytesPerSecond <= 0;
    }

    /** Bytes a body must gain per window to stay. */
    long minBytesPerWindow() {
        return Math.max(1, minBytesPerSecond * window.toMillis() / 1000);
    }
}
