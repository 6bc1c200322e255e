package dev.modelyard.server.auth;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A management API token. Only the SHA-256 of the secret is stored. */
@Entity
@Table(name = "api_token")
public class ApiToken extends TenantOwned {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    /** A role name: built-in ({@link Role#wireName()}) or a custom role of the token's tenant. */
    @Column(nullable = false)
    public String role;

    /** A glob over model names ({@code vision-*}) the token is confined to; null: every model. */
    public String scope;

    @Column(name = "token_hash", nullable = false, unique = true)
    public String tokenHash;

    /** The first characters of the secret, so people can tell their tokens apart. */
    @Column(nullable = false)
    public String hint;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(nullable = false)
    public boolean bootstrap;

    public static Optional<ApiToken> findByHash(String hash) {
        return find("tokenHash", hash).firstResultOptional();
    }

    public boolean isActive(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
