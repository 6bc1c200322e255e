package dev.modelyard.server.delta;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A file that rebuilds a target artifact from a base file (by its digest) or from nothing (a
 * compressed full download), and its build queue entry in one row. See V19 for the rules.
 */
@Entity
@Table(name = "artifact_delta")
public class DeltaArtifact extends TenantOwned {

    @Id
    public UUID id;

    @Column(name = "target_artifact_id", nullable = false)
    public UUID targetArtifactId;

    /** Null: no base, the compressed full file. */
    @Column(name = "base_sha256", columnDefinition = "bpchar(64)")
    public String baseSha256;

    /** Lineage only: the artifact that had the base's bytes when the delta was requested. */
    @Column(name = "base_artifact_id")
    public UUID baseArtifactId;

    @Column(nullable = false)
    public int format;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DeltaStatus status;

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    public String method;

    @Column(name = "blob_sha256", columnDefinition = "bpchar(64)")
    public String blobSha256;

    public Long size;

    @Column(name = "target_size", nullable = false)
    public long targetSize;

    @Column(name = "build_millis")
    public Long buildMillis;

    @Column(nullable = false)
    public int attempts;

    public String error;

    @Column(name = "not_before", nullable = false)
    public Instant notBefore;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "built_at")
    public Instant builtAt;
}
