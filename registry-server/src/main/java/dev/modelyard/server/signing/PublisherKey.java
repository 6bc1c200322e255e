package dev.modelyard.server.signing;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An Ed25519 key a publisher signs uploads with, registered by an admin. */
@Entity
@Table(name = "publisher_key")
public class PublisherKey extends TenantOwned {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    @Column(name = "key_id", nullable = false, columnDefinition = "bpchar(64)")
    public String keyId;

    /** Base64 of the raw 32-byte public key. */
    @Column(name = "public_key", nullable = false)
    public String publicKey;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "revoked_at")
    public Instant revokedAt;
}
