package dev.modelyard.server.tenantadmin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import io.quarkus.security.PermissionsAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The caller's tenant's settings, for that tenant's administrators. They are guarded like the
 * tenant's keys: the gateway token is a credential of every device of the tenant, and the limits
 * are the tenant's, not one team member's ({@code tenants:*} is the system administrator's only).
 */
@Path("/api/v1/settings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TENANTS)
public class SettingsResource {

    private final TenantAdmin admin;

    public SettingsResource(TenantAdmin admin) {
        this.admin = admin;
    }

    @GET
    @PermissionsAllowed(Permission.KEYS_READ)
    @Operation(summary = "The caller's tenant's settings (null: the server's configuration applies)")
    public TenantApi.SettingsView get() {
        return admin.settings();
    }

    @PATCH
    @PermissionsAllowed(Permission.KEYS_UPDATE)
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @Operation(summary = "Change pollingInterval or maxUploadBytes (JSON merge patch; null resets to the server's value)")
    public TenantApi.SettingsView patch(JsonNode body) {
        return admin.patchSettings(body);
    }

    @POST
    @Path("/gateway-token")
    @PermissionsAllowed(Permission.KEYS_UPDATE)
    @Operation(summary = "Issue a new DDI gateway token for the tenant (shown once); the previous one stops working")
    public TenantApi.SettingsView rotateGatewayToken() {
        return admin.rotateGatewayToken();
    }

    @DELETE
    @Path("/gateway-token")
    @PermissionsAllowed(Permission.KEYS_UPDATE)
    @Operation(summary = "Remove the tenant's DDI gateway token")
    @APIResponse(responseCode = "204", description = "Removed")
    public void removeGatewayToken() {
        admin.removeGatewayToken();
    }
}
