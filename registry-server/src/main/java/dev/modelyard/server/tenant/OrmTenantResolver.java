package dev.modelyard.server.tenant;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hands the current tenant to the ORM, which then scopes every query, load by id and insert of a
 * {@link TenantOwned} entity by it (discriminator multi-tenancy). Cross-tenant work runs as the
 * root tenant, which the ORM leaves unfiltered.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class OrmTenantResolver implements TenantResolver {

    private final TenantContext context;

    public OrmTenantResolver(TenantContext context) {
        this.context = context;
    }

    @Override
    public String getDefaultTenantId() {
        return Tenants.DEFAULT;
    }

    @Override
    public String resolveTenantId() {
        return context.current();
    }

    @Override
    public boolean isRoot(String tenantId) {
        return Tenants.ALL.equals(tenantId);
    }
}
