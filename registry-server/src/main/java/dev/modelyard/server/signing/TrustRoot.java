package dev.modelyard.server.signing;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One version of the root metadata, as its signers produced it. */
@Entity
@Table(name = "trust_root")
public class TrustRoot extends TenantOwned {

    @Id
    public Integer version;

    @Column(nullable = false)
    public String envelope;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;
}
