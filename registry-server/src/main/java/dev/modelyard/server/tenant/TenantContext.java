package dev.modelyard.server.tenant;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * The tenant the current work belongs to. Inside a request it is the caller's: both authentication
 * paths put it on the security identity ({@value #ATTRIBUTE}); an anonymous request belongs to
 * {@link Tenants#DEFAULT}. Background work names its tenant with {@link #runAs}/{@link #callAs};
 * outside both there is no tenant and asking for one is a bug.
 *
 * <p>The persistence layer reads it when a session opens, so a switch must wrap the whole
 * transaction: a session already open keeps the tenant it was opened with.
 */
@ApplicationScoped
public class TenantContext {

    /** Security identity attribute naming the caller's tenant (String). */
    public static final String ATTRIBUTE = "modelyard.tenant";

    private static final ThreadLocal<String> EXPLICIT = new ThreadLocal<>();

    private final CurrentIdentityAssociation identity;

    public TenantContext(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    /** The tenant of the current request or background task; never null inside a request. */
    public String current() {
        String explicit = EXPLICIT.get();
        if (explicit != null) return explicit;
        if (!Arc.container().requestContext().isActive()) {
            throw new IllegalStateException("no tenant: background work must run inside TenantContext.runAs/callAs");
        }
        SecurityIdentity caller = identity.getIdentity();
        return caller.getAttribute(ATTRIBUTE) instanceof String t ? t : Tenants.DEFAULT;
    }

    /** Whether the current work is explicitly cross-tenant ({@link #acrossTenants}). */
    public boolean isAcrossTenants() {
        return Tenants.ALL.equals(EXPLICIT.get());
    }

    public <T> T callAs(String tenant, Supplier<T> work) {
        if (!Tenants.isValidId(tenant)) throw new IllegalArgumentException("not a tenant id: " + tenant);
        return switchTo(tenant, work);
    }

    public void runAs(String tenant, Runnable work) {
        callAs(tenant, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs work that is cross-tenant by nature, unscoped: every caller must say why in a comment.
     * Rows it creates must name their tenant themselves.
     */
    public <T> T acrossTenants(Supplier<T> work) {
        return switchTo(Tenants.ALL, work);
    }

    public void runAcrossTenants(Runnable work) {
        acrossTenants(() -> {
            work.run();
            return null;
        });
    }

    private static <T> T switchTo(String tenant, Supplier<T> work) {
        String previous = EXPLICIT.get();
        EXPLICIT.set(tenant);
        // The ORM asks for the tenant only while a request context is active: background threads get one.
        ManagedContext requestContext = Arc.container().requestContext();
        boolean activated = !requestContext.isActive();
        if (activated) requestContext.activate();
        try {
            return work.get();
        } finally {
            if (activated) requestContext.terminate();
            if (previous == null) EXPLICIT.remove();
            else EXPLICIT.set(previous);
        }
    }
}
