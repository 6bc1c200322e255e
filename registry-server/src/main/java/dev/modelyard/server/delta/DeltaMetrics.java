package dev.modelyard.server.delta;

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
 * Delta metrics: deltas by status over all replicas ({@code modelyard_delta_artifacts}; pending and
 * building are the queue's depth, read at most once per refresh interval) and the builds this
 * replica ran, timed by outcome ({@code modelyard_delta_build_seconds}; its count is the number of builds).
 */
@ApplicationScoped
@Startup
class DeltaMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15)};

    private final AgroalDataSource db;
    private final Map<DeltaBuilder.Outcome, Timer> builds = new EnumMap<>(DeltaBuilder.Outcome.class);

    DeltaMetrics(AgroalDataSource db, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        CachedReading<long[]> counts = new CachedReading<>("delta counts", config.metrics().refreshInterval(),
                new long[DeltaStatus.values().length], this::read);
        for (DeltaStatus s : DeltaStatus.values()) {
            Gauge.builder("modelyard.delta.artifacts", counts, c -> c.get()[s.ordinal()])
                    .description("Delta artifacts by status (pending and building are the build queue's depth)")
                    .tag("status", s.wireName()).strongReference(true).register(registry);
        }
        for (DeltaBuilder.Outcome o : DeltaBuilder.Outcome.values()) {
            builds.put(o, Timer.builder("modelyard.delta.build")
                    .description("Delta builds run by this replica, by outcome, with their duration")
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT)).serviceLevelObjectives(BUCKETS).register(registry));
        }
    }

    void buildEnded(DeltaBuilder.Outcome outcome, long nanos) {
        builds.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counted over every tenant: the queue is shared by all of them, as its builders are. */
    private long[] read() {
        long[] counts = new long[DeltaStatus.values().length];
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, count(*) FROM artifact_delta GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                DeltaStatus s = DeltaStatus.parse(rs.getString(1));
                if (s != null) counts[s.ordinal()] = rs.getLong(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return counts;
    }
}
