package dev.modelyard.server.limits;

import dev.modelyard.server.device.LongTable;

/**
 * Token buckets by a numeric id (a device), as {@link RateLimiter} keeps them, in a {@link
 * LongTable} of numbers: every poll of every device is counted, and with a million devices a map
 * of boxed keys and bucket objects would be garbage on each poll and a heap to sweep.
 *
 * <p>Concurrency: {@link #acquire} may be called from any thread, I/O threads included; it
 * allocates nothing, reads the bucket without a lock and sets it with a compare-and-set under the
 * table segment's lock, held for a few array writes. At most {@code maxKeys} buckets are held:
 * a new one drops one not used lately (by then it has refilled, so forgetting it changes no answer
 * unless more devices than {@code maxKeys} poll faster than their rate at once).
 */
final class IdRateLimiter {

    /** Not a bucket: no {@code nanoTime} is exactly this (it is 292 years from any other). */
    private static final long NONE = Long.MIN_VALUE;

    private final LongTable<Void> buckets;

    IdRateLimiter(int maxKeys) {
        this.buckets = LongTable.boundedNumbers(maxKeys);
    }

    /**
     * Takes one request from {@code id}'s bucket. Returns 0 when allowed, otherwise the
     * nanoseconds until the next request would be (nothing is taken then).
     */
    long acquire(long id, Rate rate, long nowNanos) {
        if (rate.off()) return 0;
        while (true) {
            long full = buckets.getLong(id, NONE);
            long held = full == NONE ? nowNanos : full;
            long wait = rate.waitNanos(held, nowNanos);
            if (wait > 0) return wait;
            if (buckets.replaceLong(id, full, rate.fullAfterRequest(held, nowNanos), NONE)) return 0;
        }
    }

    /** Buckets held now. */
    long size() {
        return buckets.size();
    }
}
