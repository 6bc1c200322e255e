package dev.modelyard.server.rollout;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.Page;
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
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Rollouts: create, watch, and steer them through their life cycle. */
@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.ROLLOUTS)
public class RolloutResource {

    private static final String NOT_FOUND = "No rollout with this id";
    private static final String WRONG_STATE = "The rollout's state does not allow this (code rollout-state; the detail names the state)";

    private final RolloutService rollouts;
    private final SecurityIdentity identity;

    public RolloutResource(RolloutService rollouts, SecurityIdentity identity) {
        this.rollouts = rollouts;
        this.identity = identity;
    }

    private String caller() {
        return identity.getPrincipal().getName();
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a rollout",
            description = "A version (number, alias or latest, resolved now) for the devices a filter (or a device group's filter, "
                    + "copied now) matches, in phases. A draft unless start is true: then it starts at once, or waits for "
                    + "approval or for schedule.startAt.")
    @APIResponseSchema(value = RolloutApi.RolloutView.class, responseCode = "201", responseDescription = "The rollout; Location names it")
    @APIResponse(responseCode = "400", description = "A field is missing or invalid (the problem names its JSON path), or the filter does not parse (code invalid-filter)")
    @APIResponse(responseCode = "403", description = "The caller lacks rollouts:create, or failureBudget.onFailure is rollback and it lacks rollouts:rollback besides (code forbidden)")
    @APIResponse(responseCode = "404", description = "The model, version, alias or device group does not exist")
    @APIResponse(responseCode = "409", description = "A rollout with this name exists, or the version is not published")
    public Response create(RolloutApi.Create body) {
        RolloutApi.RolloutView v = rollouts.create(body, caller(), Permission.held(identity, Permission.ROLLOUTS_ROLLBACK));
        return Response.created(URI.create("/api/v1/rollouts/" + v.id())).entity(v).build();
    }

    @GET
    @PermissionsAllowed(Permission.ROLLOUTS_READ)
    @Operation(summary = "List rollouts", description = "Newest first; optionally of one state. Phases come without their health summary (GET one rollout has it).")
    @APIResponse(responseCode = "200", description = "A page of rollouts")
    @APIResponse(responseCode = "400", description = "An unknown state, or a bad page or size")
    public Page<RolloutApi.RolloutView> list(@QueryParam("state") String state, @QueryParam("page") Integer page,
                                             @QueryParam("size") Integer size) {
        return rollouts.list(state, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.ROLLOUTS_READ)
    @Path("/{id}")
    @Operation(summary = "A rollout: state, phases with counts, health and gate verdicts, failure budget burn")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public RolloutApi.RolloutView get(@PathParam("id") long id) {
        return rollouts.get(id);
    }

    @DELETE
    @PermissionsAllowed(Permission.ROLLOUTS_DELETE)
    @Path("/{id}")
    @Operation(summary = "Delete a draft or finished rollout", description = "Its actions stay (they no longer name the rollout).")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public Response delete(@PathParam("id") long id) {
        rollouts.delete(id);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_UPDATE)
    @Path("/{id}/start")
    @Operation(summary = "Start a draft", description = "It waits for approval when it needs one, and for schedule.startAt.")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public RolloutApi.RolloutView start(@PathParam("id") long id) {
        return rollouts.start(id, caller());
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_APPROVE)
    @Path("/{id}/approve")
    @Operation(summary = "Approve the rollout, or its phase that waits for an approval",
            description = "Whoever created the rollout cannot approve it (code self-approval).")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "403", description = "The caller created the rollout (code self-approval), or lacks the permission")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = "Nothing waits for an approval (code rollout-state)")
    public RolloutApi.RolloutView approve(@PathParam("id") long id) {
        return rollouts.approve(id, caller());
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_UPDATE)
    @Path("/{id}/pause")
    @Operation(summary = "Pause a running or scheduled rollout", description = "No new assignments; assigned devices go on.")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public RolloutApi.RolloutView pause(@PathParam("id") long id) {
        return rollouts.pause(id, caller());
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_UPDATE)
    @Path("/{id}/resume")
    @Operation(summary = "Resume a paused rollout",
            description = "The failure budget counts what executes from now on; a failed phase counts as passed by this decision; "
                    + "a health gate that lacked data waits its timeout again.")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public RolloutApi.RolloutView resume(@PathParam("id") long id) {
        return rollouts.resume(id, caller());
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_UPDATE)
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a rollout", description = "No new assignments; its open actions are canceled (the devices are asked to cancel).")
    @APIResponse(responseCode = "200", description = "The rollout")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public RolloutApi.RolloutView cancel(@PathParam("id") long id) {
        return rollouts.cancel(id, caller());
    }

    @POST
    @PermissionsAllowed(Permission.ROLLOUTS_ROLLBACK)
    @Path("/{id}/rollback")
    @Operation(summary = "Roll back every device the rollout touched",
            description = "Each device gets the version it ran before, with a signed rollback authorization; devices that ran none "
                    + "are reported (state rollback-failed with the reason).")
    @APIResponse(responseCode = "200", description = "The rollout, rolling back")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = WRONG_STATE)
    public RolloutApi.RolloutView rollback(@PathParam("id") long id) {
        return rollouts.rollback(id, caller());
    }

    @GET
    @PermissionsAllowed(Permission.ROLLOUTS_READ)
    @Path("/{id}/devices")
    @Operation(summary = "The rollout's devices", description = "Optionally of one phase (index) and one state.")
    @APIResponse(responseCode = "200", description = "A page of devices")
    @APIResponse(responseCode = "400", description = "An unknown state, or a bad page or size")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public Page<RolloutApi.DeviceView> devices(@PathParam("id") long id, @QueryParam("phase") Integer phase,
                                               @QueryParam("state") String state, @QueryParam("page") Integer page,
                                               @QueryParam("size") Integer size) {
        return rollouts.devices(id, phase, state, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.ROLLOUTS_READ)
    @Path("/{id}/progress")
    @Operation(summary = "Progress over time: device counts per phase and state, sampled")
    @APIResponse(responseCode = "200", description = "A page of samples, oldest first (500 unless size says fewer); a phase is "
            + "sampled when its counts change")
    @APIResponse(responseCode = "400", description = "since is not an ISO-8601 time, or a bad page or size")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public List<RolloutApi.Sample> progress(@PathParam("id") long id,
                                            @Parameter(description = "Only samples taken after this time (ISO-8601), e.g. the last one a chart has")
                                            @QueryParam("since") String since,
                                            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return rollouts.progress(id, instant(since, "since"), Page.request(page, size == null ? Page.MAX_SIZE : size));
    }

    @GET
    @PermissionsAllowed(Permission.ROLLOUTS_READ)
    @Path("/{id}/events")
    @Operation(summary = "The rollout's history: state changes, approvals, phases, gate verdicts, devices that joined")
    @APIResponse(responseCode = "200", description = "A page of events, oldest first (500 unless size says fewer)")
    @APIResponse(responseCode = "400", description = "A bad page or size")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public List<RolloutApi.Event> events(@PathParam("id") long id, @QueryParam("page") Integer page,
                                         @QueryParam("size") Integer size) {
        return rollouts.events(id, Page.request(page, size == null ? Page.MAX_SIZE : size));
    }

    private static java.time.Instant instant(String text, String parameter) {
        if (text == null || text.isBlank()) return null;
        try {
            return java.time.OffsetDateTime.parse(text.strip()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, parameter, parameter + ": '" + text
                    + "' is not an ISO-8601 time such as 2026-01-31T02:00:00Z");
        }
    }
}
