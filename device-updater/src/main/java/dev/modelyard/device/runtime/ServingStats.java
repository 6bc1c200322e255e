package dev.modelyard.device.runtime;

import java.util.Arrays;

/**
 * Requests, model failures and recent latencies of one loaded version, for judging a new version
 * against the one it replaced. Only requests the model itself failed count as errors: a request
 * refused for its own bad input says nothing about the model.
 */
final class ServingStats {

    /** Enough recent latencies for a stable p99, few enough to sort on every look. */
    static final int WINDOW = 4096;

    private final long[] latencies = new long[WINDOW];
    private long requests;
    private long errors;
    private long recorded;

    synchronized void success(long nanos) {
        requests++;
        latencies[(int) (recorded++ % WINDOW)] = nanos;
    }

    synchronized void failure() {
        requests++;
        errors++;
    }

    synchronized ModelRuntime.Stats snapshot(String version) {
        int n = (int) Math.min(recorded, WINDOW);
        long p99 = -1;
        long p50 = -1;
        if (n > 0) {
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            p99 = percentile(sorted, 0.99);
            p50 = percentile(sorted, 0.50);
        }
        return new ModelRuntime.Stats(version, requests, errors, n, p99, p50);
    }

    /** The nearest-rank percentile of sorted latencies. */
    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1))];
    }
}
