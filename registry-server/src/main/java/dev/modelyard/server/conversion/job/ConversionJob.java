package dev.modelyard.server.conversion.job;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import dev.modelyard.server.model.ModelVersion;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One conversion of one source artifact by one chain, as the queue keeps it. See V4 for the rules. */
@Entity
@Table(name = "conversion_job")
public class ConversionJob extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;


    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    public ModelVersion version;

    @Column(name = "source_artifact_id", nullable = false)
    public UUID sourceArtifactId;

    @Column(name = "profile_id")
    public Long profileId;

    @Column(name = "profile_name", nullable = false)
    public String profileName;

    /** The frozen {@link dev.modelyard.server.conversion.profile.ChainSpec}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, Object> spec;

    @Column(nullable = false)
    public String filename;

    @Column(name = "idempotency_key", nullable = false, columnDefinition = "bpchar(64)")
    public String idempotencyKey;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public JobStatus status;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "max_attempts", nullable = false)
    public int maxAttempts;

    @Column(name = "timeout_seconds", nullable = false)
    public int timeoutSeconds;

    @Column(name = "next_run_at", nullable = false)
    public Instant nextRunAt;

    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_expires_at")
    public Instant leaseExpiresAt;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    @Column(name = "result_artifact_id")
    public UUID resultArtifactId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public Map<String, Object> result;

    public String error;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
