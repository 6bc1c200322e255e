package dev.modelyard.server.deployment;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Actions (one version assigned to one device): list, status history, cancel. */
@Path("/api/v1/actions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.ACTIONS)
public class ActionResource {

    private final DeploymentService deployments;
    private final SecurityIdentity identity;

    public ActionResource(DeploymentService deployments, SecurityIdentity identity) {
        this.deployments = deployments;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Operation(summary = "List actions, newest first", description = "Filter by device (controller id), model, status, active.")
    public Page<DeploymentApi.ActionView> list(@QueryParam("device") String device, @QueryParam("model") String model,
                                               @QueryParam("status") String status, @QueryParam("active") Boolean active,
                                               @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return deployments.list(device, model, status, active, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{id}")
    @Operation(summary = "An action")
    public DeploymentApi.ActionView get(@PathParam("id") long id) {
        return deployments.get(id);
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{id}/status")
    @Operation(summary = "An action's status history, newest first")
    public List<DeploymentApi.StatusView> history(@PathParam("id") long id) {
        return deployments.history(id);
    }

    @POST
    @PermissionsAllowed(Permission.DEPLOYMENTS_UPDATE)
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel an open action",
            description = "The device is asked to cancel (the action is canceling until it confirms); with "
                    + "force=true the action is closed at once.")
    @APIResponse(responseCode = "409",
            description = "The action is closed already, or is being canceled (use force=true)")
    @APIResponseSchema(value = DeploymentApi.ActionView.class, responseCode = "200",
            responseDescription = "The action: canceling, or canceled with force=true")
    public DeploymentApi.ActionView cancel(@PathParam("id") long id, @QueryParam("force") @DefaultValue("false") boolean force) {
        return deployments.cancel(id, force, identity.getPrincipal().getName());
    }
}
