package dev.modelyard.testing.fleet;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram: buckets of 2 % relative width from 1 µs to about 10 minutes, so
 * millions of samples cost a fixed few kilobytes and a percentile is exact to within 2 %.
 */
public final class LatencyRecorder {

    private static final double GROWTH = 1.02;
    private static final int BUCKETS = 1400;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(Duration d) {
        recordNanos(d.toNanos());
    }

    public void recordNanos(long nanos) {
        counts.incrementAndGet(bucket(nanos / 1000.0));
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) n += counts.get(i);
        return n;
    }

    /** The latency below which {@code percent} of the samples fall (the bucket's upper edge); zero without samples. */
    public Duration percentile(double percent) {
        long total = count();
        if (total == 0) return Duration.ZERO;
        long rank = (long) Math.ceil(total * percent / 100.0);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) return Duration.ofNanos((long) (Math.pow(GROWTH, i + 1) * 1000));
        }
        return Duration.ofNanos((long) (Math.pow(GROWTH, BUCKETS) * 1000));
    }

    /** Forgets every sample, e.g. after a warm-up. */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) counts.set(i, 0);
    }

    private static int bucket(double micros) {
        if (micros <= 1) return 0;
        return (int) Math.min(BUCKETS - 1, Math.floor(Math.log(micros) / Math.log(GROWTH)));
    }
}
