package dev.modelyard.server.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A tenant and its settings. Not {@link TenantOwned}: this is the directory of tenants itself,
 * read across tenants by authentication and by the system administrator.
 */
@Entity
@Table(name = "tenant")
public class Tenant extends PanacheEntityBase {

    @Id
    public String id;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public boolean enabled = true;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** SHA-256 of the DDI gateway token; null: none (the default tenant may use the configured one). */
    @Column(name = "gateway_token_hash")
    public String gatewayTokenHash;

    @Column(name = "gateway_token_hint")
    public String gatewayTokenHint;

    /** ISO-8601 duration; null: the server's configured polling interval. */
    @Column(name = "polling_interval")
    public String pollingInterval;

    /** Null: the server's configured maximum. */
    @Column(name = "max_upload_bytes")
    public Long maxUploadBytes;
}
