package dev.modelyard.server.deployment;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Deploying model versions to devices. */
@Path("/api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.DEPLOYMENTS)
public class DeploymentResource {

    private final DeploymentService deployments;
    private final SecurityIdentity identity;

    public DeploymentResource(DeploymentService deployments, SecurityIdentity identity) {
        this.deployments = deployments;
        this.identity = identity;
    }

    @POST
    @PermissionsAllowed(Permission.DEPLOYMENTS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Assign a model version (or alias, or latest) to devices",
            description = "One action per device, with the artifact chosen for that device. An action for which no "
                    + "artifact fits is created failed, with the reason; so is one for a device whose updater (Modelyard's) "
                    + "runs a higher release counter of the model and would refuse the version, unless the assignment "
                    + "names that device alone (then 409 release-counter-rollback), or the assignment says \"rollback\": true "
                    + "(which needs rollouts:rollback besides deployments:create): then each action carries a signed "
                    + "rollback authorization for exactly this release, and those devices install it. A "
                    + "\"maintenanceWindow\" (cron schedule, ISO-8601 duration, IANA zone or the device's) holds the "
                    + "install step until a window is open: devices download at once and install in the window "
                    + "(hawkBit's maintenanceWindow in the DDI deployment). A newer assignment of the same model "
                    + "supersedes the device's open action (it is canceled first).")
    @APIResponseSchema(value = DeploymentApi.Assignment.class, responseCode = "201",
            responseDescription = "One action per device, failed ones with their reason")
    @APIResponse(responseCode = "400", description = "A field is invalid, such as the maintenance window's schedule, duration or zone (the problem names the field)")
    @APIResponse(responseCode = "403", description = "The role lacks deployments:create, or asks for \"rollback\": true without rollouts:rollback")
    @APIResponse(responseCode = "404", description = "The model, version, alias or a device does not exist")
    @APIResponse(responseCode = "409", description = "The version is not published; or (code release-counter-rollback) the assignment names one device, which runs Modelyard's updater with a higher release counter of the model installed and would refuse it (for several devices such devices are recorded as failed instead)")
    @APIResponse(responseCode = "422", description = "No device has the tag, or too many devices for one deployment")
    public Response assign(DeploymentApi.Assign body) {
        boolean mayRollback = body != null && Boolean.TRUE.equals(body.rollback())
                && Permission.held(identity, Permission.ROLLOUTS_ROLLBACK);
        return Response.status(201).entity(deployments.assign(body, identity.getPrincipal().getName(), mayRollback)).build();
    }
}
