package dev.modelyard.server.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;

/**
 * A tenant-owned entity that keeps who created it and when it was created and last changed: the
 * same three columns on every such table, mapped once. The services set them; nothing here fills
 * them in, so each write stays explicit about the time and the caller it records.
 */
@MappedSuperclass
public abstract class TenantOwnedRecord extends TenantOwned {

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "created_by")
    public String createdBy;
}
