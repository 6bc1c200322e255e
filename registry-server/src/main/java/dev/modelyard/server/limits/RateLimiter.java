package dev.modelyard.server.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets by key (an API token, a client address), kept as the generic cell rate algorithm
 * ({@link Rate#waitNanos}): one {@code long} per key, the time at which the bucket would be full
 * again. Devices, a million of them, are counted by {@link IdRateLimiter}.
 *
 * <p>Concurrency: {@link #acquire} may be called from any thread, I/O threads included; it never
 * blocks and, for a key already known, allocates nothing (one map read and one compare-and-set).
 * Keys must be authenticated principals or client addresses, never a value a client can make up
 * for free. At most {@code maxKeys} keys are held: when a new key finds the table full, keys
 * whose bucket is full again (idle) are dropped, at most once a second; if none can be dropped,
 * the new key passes unlimited and untracked, so memory stays bounded whatever arrives.
 */
public final class RateLimiter<K> {

    private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<K, AtomicLong> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private static final long NEVER = Long.MIN_VALUE;

    private final AtomicLong lastSweep = new AtomicLong(NEVER);

    public RateLimiter(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /**
     * Takes one request from {@code key}'s bucket. Returns 0 when allowed, otherwise the
     * nanoseconds until the next request would be (nothing is taken then).
     */
    public long acquire(K key, Rate rate, long nowNanos) {
        if (rate.off()) return 0;
        AtomicLong bucket = buckets.get(key);
        if (bucket == null) {
            bucket = track(key, nowNanos);
            if (bucket == null) return 0;
        }
        while (true) {
            long full = bucket.get();
            long wait = rate.waitNanos(full, nowNanos);
            if (wait > 0) return wait;
            if (bucket.compareAndSet(full, rate.fullAfterRequest(full, nowNanos))) return 0;
        }
    }

    /** Keys held now. */
    public int size() {
        return buckets.size();
    }

    private AtomicLong track(K key, long nowNanos) {
        if (buckets.size() >= maxKeys) {
            sweep(nowNanos);
            if (buckets.size() >= maxKeys) return null;
        }
        return buckets.computeIfAbsent(key, k -> new AtomicLong(nowNanos));
    }

    /** Drops keys whose bucket has refilled: forgetting them changes no answer. */
    private void sweep(long nowNanos) {
        long last = lastSweep.get();
        if (last != NEVER && nowNanos - last < SWEEP_EVERY_NANOS) return;
        if (!lastSweep.compareAndSet(last, nowNanos)) return;
        buckets.values().removeIf(b -> b.get() - nowNanos <= 0);
    }
}
