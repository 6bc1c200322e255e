package dev.modelyard.server.hawkbit;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** hawkBit's {@code /rest/v1/targets}: devices, their attributes, sets and actions. */
@Path(MgmtApi.BASE + "/targets")
@Tag(name = MgmtJson.TAG)
@Produces(MediaType.APPLICATION_JSON)
public class MgmtTargetResource {

    private final MgmtTargets service;
    private final MgmtModules modules;
    private final MgmtJson json;
    private final SecurityIdentity identity;

    public MgmtTargetResource(MgmtTargets service, MgmtModules modules, MgmtJson json, SecurityIdentity identity) {
        this.service = service;
        this.modules = modules;
        this.json = json;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Operation(summary = "hawkBit: list targets (offset, limit, sort, q with ==/!= joined by ;)")
    @APIResponse(responseCode = "200", description = "A page of targets",
            content = @Content(schema = @Schema(implementation = MgmtJson.TargetPage.class)))
    public MgmtApi.PagedList<MgmtApi.Target> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                                  @QueryParam("sort") String sort, @QueryParam("q") String q) {
        return service.listTargets(Paging.of(offset, limit, sort), q, showToken());
    }

    @POST
    @PermissionsAllowed(Permission.DEVICES_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: create targets (an array), optionally each with its securityToken")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.TargetRequest[].class)))
    @APIResponse(responseCode = "201", description = "The created targets, each with its securityToken",
            content = @Content(schema = @Schema(implementation = MgmtApi.Target[].class)))
    @APIResponse(responseCode = "409", description = "A target with this controllerId or securityToken exists already")
    public Response create(String body) {
        List<MgmtApi.Target> created = service.createTargets(json.list(body, MgmtApi.TargetRequest.class), MgmtJson.caller(identity));
        return Response.status(201).entity(created).build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{targetId}")
    @Operation(summary = "hawkBit: one target (securityToken with devices:credentials, where kept readable)")
    @APIResponse(responseCode = "200", description = "The target",
            content = @Content(schema = @Schema(implementation = MgmtApi.Target.class)))
    public MgmtApi.Target get(@PathParam("targetId") String targetId) {
        return service.getTarget(targetId, showToken());
    }

    @PUT
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Path("/{targetId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: update a target's name, description, securityToken or requestAttributes")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.TargetRequest.class)))
    @APIResponse(responseCode = "200", description = "The updated target",
            content = @Content(schema = @Schema(implementation = MgmtApi.Target.class)))
    @APIResponse(responseCode = "409", description = "Another target has this securityToken")
    @APIResponse(responseCode = "403", description = "The role lacks the permission, or changing an existing target's securityToken needs devices:credentials")
    public MgmtApi.Target update(@PathParam("targetId") String targetId, String body) {
        MgmtApi.TargetRequest request = json.one(body, MgmtApi.TargetRequest.class);
        // Like token rotation on /api/v1: whoever sets a device's token can act as that device.
        if (request != null && request.securityToken() != null && !Permission.held(identity, Permission.DEVICES_CREDENTIALS)) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "securityToken: changing a target's token needs the permission "
                    + Permission.DEVICES_CREDENTIALS);
        }
        return service.updateTarget(targetId, request, showToken());
    }

    @DELETE
    @PermissionsAllowed(Permission.DEVICES_DELETE)
    @Path("/{targetId}")
    @Operation(summary = "hawkBit: delete a target")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("targetId") String targetId) {
        service.deleteTarget(targetId);
        return Response.noContent().build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{targetId}/attributes")
    @Operation(summary = "hawkBit: the attributes the target reported (configData)")
    @APIResponse(responseCode = "200", description = "The attributes",
            content = @Content(schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)))
    @APIResponse(responseCode = "204", description = "The target reported no attributes yet")
    public Response attributes(@PathParam("targetId") String targetId) {
        Map<String, String> attributes = service.attributes(targetId);
        return attributes.isEmpty() ? Response.noContent().build() : Response.ok(attributes).build();
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{targetId}/assignedDS")
    @Operation(summary = "hawkBit: the distribution set of the target's newest action")
    @APIResponse(responseCode = "200", description = "The set",
            content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSet.class)))
    @APIResponse(responseCode = "204", description = "Nothing was ever assigned")
    public Response assigned(@PathParam("targetId") String targetId) {
        return service.assignedSet(targetId).map(s -> Response.ok(s).build()).orElse(Response.noContent().build());
    }

    @POST
    @PermissionsAllowed(Permission.DEPLOYMENTS_CREATE)
    @Path("/{targetId}/assignedDS")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: assign a distribution set ({id, type}, or an array of them) to the target")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSetAssignment.class)))
    @APIResponse(responseCode = "200", description = "The assignment's outcome",
            content = @Content(schema = @Schema(implementation = MgmtApi.AssignmentResult.class)))
    @APIResponse(responseCode = "409", description = "The set's version is revoked, or has no files to publish")
    public MgmtApi.AssignmentResult assign(@PathParam("targetId") String targetId, String body) {
        List<MgmtApi.DistributionSetAssignment> sets = json.oneOrList(body, MgmtApi.DistributionSetAssignment.class);
        if (sets.size() != 1 || sets.get(0) == null || sets.get(0).id() == null) {
            throw ApiException.of(ErrorCode.INVALID_FIELD_TYPE, "request body: one {\"id\": distributionSetId} is required");
        }
        MgmtApi.DistributionSetAssignment s = sets.get(0);
        return modules.assign(s.id(), List.of(new MgmtApi.TargetAssignment(targetId, s.type(), s.forcetime(), s.weight(),
                s.confirmationRequired(), s.maintenanceWindow())), MgmtJson.caller(identity));
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{targetId}/installedDS")
    @Operation(summary = "hawkBit: the distribution set the target installed last")
    @APIResponse(responseCode = "200", description = "The set",
            content = @Content(schema = @Schema(implementation = MgmtApi.DistributionSet.class)))
    @APIResponse(responseCode = "204", description = "Nothing installed yet")
    public Response installed(@PathParam("targetId") String targetId) {
        return service.installedSet(targetId).map(s -> Response.ok(s).build()).orElse(Response.noContent().build());
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{targetId}/actions")
    @Operation(summary = "hawkBit: the target's actions (offset, limit, sort)")
    @APIResponse(responseCode = "200", description = "A page of actions",
            content = @Content(schema = @Schema(implementation = MgmtJson.ActionPage.class)))
    public MgmtApi.PagedList<MgmtApi.Action> actions(@PathParam("targetId") String targetId, @QueryParam("offset") Integer offset,
                                                     @QueryParam("limit") Integer limit, @QueryParam("sort") String sort) {
        return service.actions(targetId, Paging.of(offset, limit, sort));
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{targetId}/actions/{actionId}")
    @Operation(summary = "hawkBit: one action of the target")
    @APIResponse(responseCode = "200", description = "The action",
            content = @Content(schema = @Schema(implementation = MgmtApi.Action.class)))
    public MgmtApi.Action action(@PathParam("targetId") String targetId, @PathParam("actionId") long actionId) {
        return service.action(targetId, actionId);
    }

    @DELETE
    @PermissionsAllowed(Permission.DEPLOYMENTS_UPDATE)
    @Path("/{targetId}/actions/{actionId}")
    @Operation(summary = "hawkBit: cancel an action (the device is asked); force=true closes it without the device")
    @APIResponse(responseCode = "204", description = "Cancel requested, or with force the action is closed")
    @APIResponse(responseCode = "405", description = "The action is closed already, or (without force) being canceled")
    public Response cancel(@PathParam("targetId") String targetId, @PathParam("actionId") long actionId,
                           @QueryParam("force") @DefaultValue("false") boolean force) {
        service.cancel(targetId, actionId, force, MgmtJson.caller(identity));
        return Response.noContent().build();
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Path("/{targetId}/actions/{actionId}/status")
    @Operation(summary = "hawkBit: an action's status history (offset, limit, sort=id:DESC)")
    @APIResponse(responseCode = "200", description = "A page of status entries",
            content = @Content(schema = @Schema(implementation = MgmtJson.StatusPage.class)))
    public MgmtApi.PagedList<MgmtApi.ActionStatus> status(@PathParam("targetId") String targetId,
                                                          @PathParam("actionId") long actionId,
                                                          @QueryParam("offset") Integer offset,
                                                          @QueryParam("limit") Integer limit, @QueryParam("sort") String sort) {
        return service.actionStatus(targetId, actionId, Paging.of(offset, limit, sort));
    }

    private boolean showToken() {
        return Permission.held(identity, Permission.DEVICES_CREDENTIALS);
    }
}
