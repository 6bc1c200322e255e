package dev.modelyard.server.signing;

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
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Signing metrics: metadata documents signed (at publication, for converted artifacts, and again
 * by renewal), renewal runs by outcome, and how long until the first served metadata expires.
 * Devices refuse expired metadata, so that gauge falling below the renewal window
 * ({@code modelyard.signing.renew-before}) means renewal is not keeping up.
 */
@ApplicationScoped
@Startup
class SigningMetrics {

    /** Fired in the signing transaction; counted once it commits. */
    record Signed(int documents) {
    }

    private final AgroalDataSource db;
    private final Clock clock;
    private final Counter signed;
    private final Counter renewed;
    private final Counter runsOk;
    private final Counter runsFailed;
    private final Counter tenantsFailed;

    SigningMetrics(AgroalDataSource db, Clock clock, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        signed = documents(registry, "release");
        renewed = documents(registry, "renewal");
        runsOk = runs(registry, "ok");
        runsFailed = runs(registry, "failed");
        tenantsFailed = Counter.builder("modelyard.signing.renewal.tenant.failures")
                .description("Tenants whose metadata renewal failed (the others were renewed all the same)").register(registry);
        CachedReading<Optional<Instant>> earliest = new CachedReading<>("the earliest metadata expiry",
                config.metrics().refreshInterval(), Optional.empty(), this::earliestExpiry);
        Gauge.builder("modelyard.signing.metadata.expiry", earliest,
                        e -> e.get().map(t -> (t.toEpochMilli() - clock.millis()) / 1000.0).orElse(Double.NaN))
                .description("Seconds until the first signed metadata of a published or deprecated version expires (NaN: none)")
                .baseUnit("seconds").strongReference(true).register(registry);
    }

    private static Counter documents(MeterRegistry registry, String reason) {
        return Counter.builder("modelyard.signing.metadata.signed")
                .description("Artifact metadata documents signed: release (publication, converted artifacts) or renewal")
                .tag("reason", reason).register(registry);
    }

    private static Counter runs(MeterRegistry registry, String outcome) {
        return Counter.builder("modelyard.signing.renewal.runs")
                .description("Runs of the metadata renewal, by outcome").tag("outcome", outcome).register(registry);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Signed s) {
        signed.increment(s.documents());
    }

    /** A renewal run ended: {@code documents} were signed again and committed. */
    void renewalRan(int documents) {
        runsOk.increment();
        renewed.increment(documents);
    }

    /** A renewal run failed for at least one tenant after committing {@code documents} renewals. */
    void renewalFailed(int documents) {
        runsFailed.increment();
        renewed.increment(documents);
    }

    /** One tenant's renewal failed. */
    void tenantRenewalFailed() {
        tenantsFailed.increment();
    }

    /** {@code documents} were signed again outside a renewal run (a tenant enabled again). */
    void renewed(int documents) {
        renewed.increment(documents);
    }

    private Optional<Instant> earliestExpiry() {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT min(r.expires_at) FROM artifact_release r
                JOIN artifact a ON a.id = r.artifact_id
                JOIN model_version v ON v.id = a.version_id
                WHERE v.status IN ('PUBLISHED', 'DEPRECATED')""");
             ResultSet rs = ps.executeQuery()) {
            Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
            return Optional.ofNullable(t).map(Timestamp::toInstant);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
