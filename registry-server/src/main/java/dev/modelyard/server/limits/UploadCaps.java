package dev.modelyard.server.limits;

import java.time.Duration;

/**
 * How many uploads may run at once: on the replica, with one API token, from one address. A
 * value, so a tenant's settings can later replace the server-wide one.
 */
public record UploadCaps(int total, int perToken, int perAddress, Duration retryAfter) {

    public UploadCaps {
        if (total < 1 || perToken < 1 || perAddress < 1) {
            throw new IllegalArgumentException("upload caps must be at least 1");
        }
    }
}
