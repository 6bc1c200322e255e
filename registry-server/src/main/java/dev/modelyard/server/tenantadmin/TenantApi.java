package dev.modelyard.server.tenantadmin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.tenant.Tenant;
import java.time.Instant;
import java.util.UUID;

/** The JSON of the tenant administration and settings endpoints. */
public final class TenantApi {

    private TenantApi() {
    }

    public record CreateTenant(String id, String name) {
    }

    public record PatchTenant(String name, Boolean enabled) {
    }

    public record TenantView(String id, String name, boolean enabled, Instant createdAt, String createdBy, Instant updatedAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id, t.name, t.enabled, t.createdAt, t.createdBy, t.updatedAt);
        }
    }

    /** The first admin token of a new tenant; its secret is shown only here. */
    public record FirstToken(UUID id, String name, String role, String token) {
    }

    public record CreatedTenant(TenantView tenant, FirstToken adminToken) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GatewayToken(boolean configured, String hint, String token) {
    }

    /** A tenant's settings; null values fall back to the server's configuration. */
    public record SettingsView(String tenant, String name, GatewayToken gatewayToken, String pollingInterval,
                               Long maxUploadBytes) {
    }
}
