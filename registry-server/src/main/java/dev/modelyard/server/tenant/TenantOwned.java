package dev.modelyard.server.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import org.hibernate.annotations.TenantId;

/**
 * An entity that belongs to one tenant. The ORM fills {@link #tenant} on insert from the
 * {@link TenantContext}, restricts every query and every load by id to the current tenant, and
 * refuses to change it: no service spells the tenant out. Native SQL is not covered and names the
 * tenant itself.
 */
@MappedSuperclass
public abstract class TenantOwned extends PanacheEntityBase {

    @TenantId
    @Column(nullable = false, updatable = false)
    public String tenant;
}
