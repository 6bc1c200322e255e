package dev.modelyard.server.tenant.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.server.auth.Role;
import dev.modelyard.server.http.ApiDocumentation;
import jakarta.annotation.security.RolesAllowed;
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

/** The caller's tenant's settings, for that tenant's administrators. */
@Path("/api/v1/settings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TENANTS)
@RolesAllowed(Role.ADMIN_NAME)
public class SettingsResource {

    private final TenantAdmin admin;

    public SettingsResource(TenantAdmin admin) {
        this.admin = admin;
    }

    @GET
    @Operation(summary = "The caller's tenant's settings (null: the server's configuration applies)")
    public TenantApi.SettingsView get() {
        return admin.settings();
    }

    @PATCH
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @Operation(summary = "Change pollingInterval or maxUploadBytes (JSON merge patch; null resets to the server's value)")
    public TenantApi.SettingsView patch(JsonNode body) {
        return admin.patchSettings(body);
    }

    @POST
    @Path("/gateway-token")
    @Operation(summary = "Issue a new DDI gateway token for the tenant (shown once); the previous one stops working")
    public TenantApi.SettingsView rotateGatewayToken() {
        return admin.rotateGatewayToken();
    }

    @DELETE
    @Path("/gateway-token")
    @Operation(summary = "Remove the tenant's DDI gateway token")
    @APIResponse(responseCode = "204", description = "Removed")
    public void removeGatewayToken() {
        admin.removeGatewayToken();
    }
}
