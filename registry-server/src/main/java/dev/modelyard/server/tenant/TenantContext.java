package dev.modelyard.server.tenant;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * The tenant the current request or background task works for: the one a task was started for
 * with {@link #callAs}, else the authenticated caller's ({@value Tenants#IDENTITY_ATTRIBUTE}), else
 * {@link Tenants#DEFAULT}.
 */
@ApplicationScoped
public class TenantContext {

    private static final ThreadLocal<String> TASK_TENANT = new ThreadLocal<>();

    private final CurrentIdentityAssociation identities;

    public TenantContext(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    public String current() {
        String task = TASK_TENANT.get();
        if (task != null) return task;
        ManagedContext request = Arc.container().requestContext();
        if (request.isActive()) {
            SecurityIdentity identity = identities.getIdentity();
            Object tenant = identity == null ? null : identity.getAttribute(Tenants.IDENTITY_ATTRIBUTE);
            if (tenant instanceof String t && !t.isEmpty()) return t;
        }
        return Tenants.DEFAULT;
    }

    public <T> T callAs(String tenant, Supplier<T> work) {
        String outer = TASK_TENANT.get();
        TASK_TENANT.set(tenant);
        try {
            return work.get();
        } finally {
            if (outer == null) TASK_TENANT.remove(); else TASK_TENANT.set(outer);
        }
    }

    public void runAs(String tenant, Runnable work) {
        callAs(tenant, () -> {
            work.run();
            return null;
        });
    }
}
