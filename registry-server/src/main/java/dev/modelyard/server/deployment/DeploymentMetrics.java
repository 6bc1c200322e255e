package dev.modelyard.server.deployment;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.metrics.CachedReading;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Deployment metrics: committed deployment requests and what they did to devices (counters of
 * this replica), and actions by state (a gauge over the whole action table, read at most once per
 * refresh interval: one grouped scan, which grows with the action history).
 */
@ApplicationScoped
@Startup
class DeploymentMetrics {

    private final AgroalDataSource db;
    private final CachedReading<long[]> actions;
    private final Counter deployments;
    private final Counter assigned;
    private final Counter failed;
    private final Counter already;

    DeploymentMetrics(AgroalDataSource db, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        this.actions = new CachedReading<>("action counts", config.metrics().refreshInterval(),
                new long[ActionState.values().length], this::read);
        for (ActionState s : ActionState.values()) {
            Gauge.builder("modelyard.actions", actions, a -> a.get()[s.ordinal()])
                    .description("Actions (a version assigned to a device) by state").tag("state", s.wireName())
                    .strongReference(true).register(registry);
        }
        deployments = Counter.builder("modelyard.deployments")
                .description("Deployment requests committed (one request may assign many devices)").register(registry);
        assigned = devices(registry, "assigned");
        failed = devices(registry, "failed");
        already = devices(registry, "already_assigned");
    }

    private static Counter devices(MeterRegistry registry, String outcome) {
        return Counter.builder("modelyard.deployment.devices")
                .description("Devices named by committed deployment requests, by outcome: assigned (an action was created), "
                        + "failed (created failed: no artifact fits), already_assigned (nothing to do)")
                .tag("outcome", outcome).register(registry);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Assigned a) {
        deployments.increment();
        assigned.increment(a.assigned());
        failed.increment(a.failed());
        already.increment(a.already());
    }

    private long[] read() {
        long[] counts = new long[ActionState.values().length];
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, count(*) FROM action GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    counts[ActionState.valueOf(rs.getString(1)).ordinal()] = rs.getLong(2);
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
