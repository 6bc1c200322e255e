package dev.modelyard.server.conversion.job;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.metrics.CachedReading;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Conversion metrics: the queue by state ({@code modelyard_conversion_jobs}, all replicas, read at
 * most once per refresh interval) and the attempts this replica ran, timed by outcome
 * ({@code modelyard_conversion_attempt_seconds}; its count is the number of attempts).
 */
@ApplicationScoped
@Startup
class JobMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1)};

    private final AgroalDataSource db;
    private final Map<JobRunner.Outcome, Timer> attempts = new EnumMap<>(JobRunner.Outcome.class);

    JobMetrics(AgroalDataSource db, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        CachedReading<long[]> jobs = new CachedReading<>("conversion job counts", config.metrics().refreshInterval(),
                new long[JobStatus.values().length], this::read);
        for (JobStatus s : JobStatus.values()) {
            Gauge.builder("modelyard.conversion.jobs", jobs, j -> j.get()[s.ordinal()])
                    .description("Conversion jobs by state (queued and running are the queue's depth)")
                    .tag("state", s.wireName()).strongReference(true).register(registry);
        }
        for (JobRunner.Outcome o : JobRunner.Outcome.values()) {
            attempts.put(o, Timer.builder("modelyard.conversion.attempt")
                    .description("Conversion job attempts run by this replica, by outcome, with their duration")
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT)).serviceLevelObjectives(BUCKETS).register(registry));
        }
    }

    void attemptEnded(JobRunner.Outcome outcome, long nanos) {
        attempts.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    private long[] read() {
        long[] counts = new long[JobStatus.values().length];
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, count(*) FROM conversion_job GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    counts[JobStatus.valueOf(rs.getString(1)).ordinal()] = rs.getLong(2);
                } catch (IllegalArgumentException e) {
                    // a state a newer replica wrote: not shown by this one
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return counts;
    }
}
