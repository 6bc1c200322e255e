package dev.modelyard.server.hawkbit;

import dev.modelyard.server.auth.Permission;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** hawkBit's {@code /rest/v1/distributionsets}: a set is one model version with its one module. */
@Path(MgmtApi.BASE + "/distributionsets")
@Tag(name = MgmtJson.TAG)
@Produces(MediaType.APPLICATION_JSON)
public class MgmtSetResource {

    private final MgmtModules service;
    private final MgmtJson json;
    private final SecurityIdentity identity;

    public MgmtSetResource(MgmtModules service, MgmtJson json, SecurityIdentity identity) {
        this.service = service;
        this.json = json;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Operation(summary = "hawkBit: list distribution sets (model versions; offset, limit)")
    @APIResponse(responseCode = "200", description = "A page of sets",
            content = @Content(schema = @Schema(implementation = MgmtJson.SetPage.class)))
    public MgmtApi.PagedList<MgmtApi.DistributionSet> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        return service.listSets(Paging.of(offset, limit, null));
    }

    @POST
    @PermissionsAllowed(Permission.MODELS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: create distribution sets (an array), each of exactly one module: the set is that module's version")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSetRequest[].class)))
    @APIResponse(responseCode = "201", description = "The sets",
            content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSet[].class)))
    public Response create(String body) {
        return Response.status(201).entity(service.createSets(json.list(body, MgmtApi.DistributionSetRequest.class))).build();
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{setId}")
    @Operation(summary = "hawkBit: one distribution set")
    @APIResponse(responseCode = "200", description = "The set",
            content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSet.class)))
    public MgmtApi.DistributionSet get(@PathParam("setId") long setId) {
        return service.getSet(setId);
    }

    @DELETE
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{setId}")
    @Operation(summary = "hawkBit: delete a set: a published version is deprecated; a draft's set goes with its module")
    @APIResponse(responseCode = "204", description = "Done")
    public Response delete(@PathParam("setId") long setId) {
        service.deleteSet(setId);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.DEPLOYMENTS_CREATE)
    @Path("/{setId}/assignedTargets")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: assign the set to targets ([{id, type: forced|soft|downloadonly}]); a draft is published first")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.TargetAssignment[].class)))
    @APIResponse(responseCode = "200", description = "The assignment's outcome with the new actions",
            content = @Content(schema = @Schema(implementation = MgmtApi.AssignmentResult.class)))
    @APIResponse(responseCode = "409", description = "The set's version is revoked, or has no files to publish")
    @APIResponse(responseCode = "422", description = "More targets than one assignment takes (100,000)")
    public MgmtApi.AssignmentResult assign(@PathParam("setId") long setId, String body) {
        return service.assign(setId, json.list(body, MgmtApi.TargetAssignment.class), MgmtJson.caller(identity));
    }
}
