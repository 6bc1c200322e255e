package dev.modelyard.server.metrics;

import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A figure that gauges show and that costs a database query: read when a scrape asks for it and
 * the last reading is older than {@code modelyard.metrics.refresh-interval}. Frequent scrapes,
 * or several gauges over one reading, still cost at most one query per interval, and a replica
 * nobody scrapes runs none. Prometheus scrapes run on a worker thread, so reading there is
 * allowed. A failed read keeps the last value and is logged once per run of failures.
 */
public final class CachedReading<T> {

    private static final Logger LOG = Logger.getLogger(CachedReading.class);

    private final String what;
    private final long maxAgeNanos;
    private final Supplier<T> read;
    private volatile T value;
    private volatile long readAt;
    private volatile boolean everRead;
    private boolean failing;

    /**
     * @param what    names the figure in the log when reading it fails
     * @param initial the value shown until the first reading succeeds
     */
    public CachedReading(String what, Duration maxAge, T initial, Supplier<T> read) {
        this.what = what;
        this.maxAgeNanos = maxAge.toNanos();
        this.read = read;
        this.value = initial;
    }

    /** The last reading, read again first when it is older than the interval. */
    public T get() {
        if (stale()) refresh();
        return value;
    }

    private boolean stale() {
        return !everRead || System.nanoTime() - readAt >= maxAgeNanos;
    }

    private synchronized void refresh() {
        if (!stale()) return; // another gauge of this scrape read it meanwhile
        try {
            value = read.get();
            if (failing) LOG.infof("reading %s for metrics works again", what);
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) LOG.warnf("reading %s for metrics failed (%s); the gauges keep their last value", what, e.getMessage());
            failing = true;
        }
        readAt = System.nanoTime();
        everRead = true;
    }
}
