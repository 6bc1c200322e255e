package dev.modelyard.server.tenant;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The tenant of a public read (one that needs no credentials, such as a trust root). An anonymous
 * caller has no tenant of its own, so it names one with the {@value TenantHeaderFilter#HEADER}
 * header, as a device of that tenant is provisioned; without it the default tenant answers. An
 * authenticated caller reads its own tenant (the header filter has refused any other).
 */
@ApplicationScoped
public class PublicReads {

    private final TenantContext tenants;
    private final TenantDirectory directory;
    private final SecurityIdentity identity;

    public PublicReads(TenantContext tenants, TenantDirectory directory, SecurityIdentity identity) {
        this.tenants = tenants;
        this.directory = directory;
        this.identity = identity;
    }

    /**
     * Runs {@code read} in the tenant the caller asked for; TENANT_NOT_FOUND for an unknown or
     * disabled tenant (the same answer for both: a stranger learns nothing about a tenant's state).
     * The read must open its own transaction, so the whole of it sees the chosen tenant.
     */
    public <T> T in(String header, Supplier<T> read) {
        if (header == null || header.isBlank() || !identity.isAnonymous()) return read.get();
        String tenant = header.strip().toLowerCase(Locale.ROOT);
        if (directory.find(tenant).filter(TenantDirectory.Entry::enabled).isEmpty()) {
            throw DomainException.of(ErrorCode.TENANT_NOT_FOUND, TenantHeaderFilter.HEADER + ": no tenant '"
                    + (tenant.length() <= 64 ? tenant : tenant.substring(0, 64) + "…") + "'");
        }
        return tenants.callAs(tenant, read);
    }
}
