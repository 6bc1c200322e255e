package dev.modelyard.server.ddi;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Metrics of the DDI poll, the server's hot path. Every meter is built once here, so a poll
 * pays a clock read and a few atomic increments, never a registry lookup. The timer's count by
 * {@code source} is the cache hit ratio: {@code memory} answers needed no database read.
 */
@ApplicationScoped
@Startup
class PollMetrics {

    /** Bucket bounds of the poll latency histogram: memory answers take well under a millisecond. */
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    private final Timer fromMemory;
    private final Timer fromDatabase;
    private final Counter notModified;

    PollMetrics(MeterRegistry registry) {
        fromMemory = timer(registry, "memory");
        fromDatabase = timer(registry, "database");
        notModified = Counter.builder("modelyard.ddi.poll.not.modified")
                .description("Polls answered 304 Not Modified (the device's ETag was current)").register(registry);
    }

    private static Timer timer(MeterRegistry registry, String source) {
        return Timer.builder("modelyard.ddi.poll")
                .description("Time to answer a DDI poll, from the request to the answer; source: memory (cached answer) or database")
                .tag("source", source).serviceLevelObjectives(BUCKETS).register(registry);
    }

    /** A poll answered; {@code startNanos} is {@link System#nanoTime()} when it arrived. */
    void answered(boolean fromCache, long startNanos, boolean unchanged) {
        (fromCache ? fromMemory : fromDatabase).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (unchanged) notModified.increment();
    }
}
