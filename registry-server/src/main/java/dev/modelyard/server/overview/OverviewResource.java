package dev.modelyard.server.overview;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The dashboard: the fleet at a glance, in one read. */
@Path("/api/v1/overview")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.OVERVIEW)
public class OverviewResource {

    private final OverviewService overview;
    private final SecurityIdentity identity;

    public OverviewResource(OverviewService overview, SecurityIdentity identity) {
        this.overview = overview;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Operation(summary = "The fleet at a glance: devices by state, versions per model, active rollouts, recent failures",
            description = "Devices: total, online (polled recently and not in error; the window is in the answer), offline, "
                    + "error (the last action failed). Models (with models:read, else null): the models installed on the most "
                    + "devices with their versions' device counts and the rest as 'other'. Rollouts (with rollouts:read, else "
                    + "null): those in progress with counts from their latest progress sample and the failure budget's burn. "
                    + "Recent failures: the last 20 failed actions with the device's last feedback message.")
    @APIResponseSchema(value = OverviewApi.Overview.class, responseCode = "200", responseDescription = "The overview")
    public OverviewApi.Overview get() {
        return overview.overview(Permission.held(identity, Permission.MODELS_READ), Permission.held(identity, Permission.ROLLOUTS_READ));
    }
}
