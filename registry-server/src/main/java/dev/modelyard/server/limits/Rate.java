package dev.modelyard.server.limits;

/**
 * A rate limit as a token bucket: {@code perSecond} requests on average, up to {@code burst} at
 * once. A value, so a tenant's settings can later replace the server-wide one.
 *
 * @param perSecond sustained requests per second; 0 or less means no limit
 * @param burst     requests allowed at once after a quiet period (at least 1 when limited)
 */
public record Rate(double perSecond, int burst) {

    public static final Rate OFF = new Rate(0, 0);

    public Rate {
        if (perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("a rate limit needs a burst of at least 1, got " + burst);
        }
    }

    public boolean off() {
        return perSecond <= 0;
    }

    /** Time between two requests at the sustained rate. */
    long intervalNanos() {
        return Math.max(1, Math.round(1e9 / perSecond));
    }

    /** How far ahead of the sustained rate a client may get: the burst less the request itself. */
    long toleranceNanos() {
        return intervalNanos() * (burst - 1L);
    }

    /*
     * The generic cell rate algorithm: a bucket is one number, the time at which it would be full
     * again (in System.nanoTime terms; the past means full). Both limiters keep that number and
     * compare-and-set it with these two steps.
     */

    /** Nanoseconds until a request is allowed on a bucket full again at {@code full}; 0 or less: now. */
    long waitNanos(long full, long nowNanos) {
        return later(full, nowNanos) - nowNanos - toleranceNanos();
    }

    /** When the bucket is full again after it allowed a request now. */
    long fullAfterRequest(long full, long nowNanos) {
        return later(full, nowNanos) + intervalNanos();
    }

    /** The later of two {@code nanoTime} values (compared by difference: they may wrap). */
    private static long later(long full, long nowNanos) {
        return full - nowNanos > 0 ? full : nowNanos;
    }

    @Override
    public String toString() {
        return off() ? "off" : perSecond + "/s, burst " + burst;
    }
}
