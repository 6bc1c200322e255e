package dev.modelyard.server.gitsync;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A git repository (a branch, a folder) a tenant's objects are kept converged to, with the status of its last passes. */
@Entity
@Table(name = "git_source")
// Only changed columns are written: a pass's status and an API request's definition or sync request
// change one row at once without undoing each other.
@DynamicUpdate
class GitSource extends TenantOwned {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(nullable = false, updatable = false)
    String name;

    @Column(nullable = false)
    String url;

    @Column(nullable = false)
    String branch;

    @Column(nullable = false)
    String path;

    @Column(name = "interval_text", nullable = false)
    String interval;

    @Column(name = "interval_seconds", nullable = false)
    long intervalSeconds;

    String username;

    /** A reference ({@code env:NAME}, {@code file:/path}), never the password itself. */
    @Column(name = "password_ref")
    String passwordRef;

    @Column(name = "webhook_secret_ref")
    String webhookSecretRef;

    @Column(name = "drift_policy", nullable = false)
    String driftPolicy;

    @Column(nullable = false)
    boolean prune;

    @Column(nullable = false)
    String role;

    @Column(name = "created_at", nullable = false, updatable = false)
    Instant createdAt;

    @Column(name = "created_by", nullable = false, updatable = false)
    String createdBy;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    @Column(nullable = false)
    String status;

    @Column(name = "last_synced_commit")
    String lastSyncedCommit;

    @Column(name = "last_synced_at")
    Instant lastSyncedAt;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "last_attempt", columnDefinition = "jsonb")
    String lastAttempt;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    String drift;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    String conflicts;

    @Column(name = "next_sync_at", nullable = false)
    Instant nextSyncAt;

    @Column(name = "requested_at")
    Instant requestedAt;

    static Optional<GitSource> named(String name) {
        return find("name", name).firstResultOptional();
    }
}
