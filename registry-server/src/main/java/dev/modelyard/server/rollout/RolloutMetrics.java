package dev.modelyard.server.rollout;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.metrics.CachedReading;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Rollouts by state (a gauge over every tenant's rollouts, read at most once per refresh interval)
 * and the assignments rollouts made on this replica (rollbacks included).
 */
@ApplicationScoped
@Startup
class RolloutMetrics {

    private final AgroalDataSource db;
    private final CachedReading<long[]> rollouts;
    private final Counter assignments;
    private final Counter droppedJoins;

    RolloutMetrics(AgroalDataSource db, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        this.rollouts = new CachedReading<>("rollout counts", config.metrics().refreshInterval(),
                new long[RolloutState.values().length], this::read);
        for (RolloutState s : RolloutState.values()) {
            Gauge.builder("modelyard.rollouts", rollouts, r -> r.get()[s.ordinal()])
                    .description("Rollouts by state, over all tenants").tag("state", s.wireName())
                    .strongReference(true).register(registry);
        }
        assignments = Counter.builder("modelyard.rollout.assignments")
                .description("Devices rollouts assigned a version to (rollbacks included) on this replica").register(registry);
        droppedJoins = Counter.builder("modelyard.rollout.joins.dropped")
                .description("Device changes not checked against dynamic rollouts because the queue was full (the device joins on its next change)")
                .register(registry);
    }

    void joinDropped() {
        droppedJoins.increment();
    }

    void assigned(int devices) {
        assignments.increment(devices);
    }

    private long[] read() {
        long[] counts = new long[RolloutState.values().length];
        // The gauge is server-wide: one grouped count over every tenant's (few) rollouts.
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM rollout GROUP BY state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    counts[RolloutState.valueOf(rs.getString(1).toUpperCase(Locale.ROOT).replace('-', '_')).ordinal()] = rs.getLong(2);
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
