package dev.modelyard.server.signing;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** The signed metadata of a released artifact, stored as the exact JSON text devices receive. */
@Entity
@Table(name = "artifact_release")
public class ArtifactRelease extends TenantOwned {

    @Id
    @Column(name = "artifact_id")
    public UUID artifactId;

    @Column(name = "key_id", nullable = false, columnDefinition = "bpchar(64)")
    public String keyId;

    @Column(nullable = false)
    public String envelope;

    @Column(name = "issued_at", nullable = false)
    public Instant issuedAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
