package dev.modelyard.server.hawkbit;

import dev.modelyard.server.auth.Permission;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/** hawkBit's {@code /rest/v1/targetfilters}: named target queries (no auto-assignment). */
@Path(MgmtApi.BASE + "/targetfilters")
@Tag(name = MgmtJson.TAG)
@Produces(MediaType.APPLICATION_JSON)
public class MgmtTargetFilterResource {

    private final TargetFilters filters;
    private final MgmtJson json;
    private final SecurityIdentity identity;

    public MgmtTargetFilterResource(TargetFilters filters, MgmtJson json, SecurityIdentity identity) {
        this.filters = filters;
        this.json = json;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Operation(summary = "hawkBit: list target filters (offset, limit, sort, q on name/query)")
    @APIResponse(responseCode = "200", description = "A page of filters",
            content = @Content(schema = @Schema(implementation = MgmtJson.FilterPage.class)))
    public MgmtApi.PagedList<MgmtApi.TargetFilter> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                                        @QueryParam("sort") String sort, @QueryParam("q") String q) {
        return filters.list(Paging.of(offset, limit, sort), q);
    }

    @POST
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: create a target filter ({name, query}); only queries this server can evaluate are accepted")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.TargetFilterRequest.class)))
    @APIResponse(responseCode = "201", description = "The filter",
            content = @Content(schema = @Schema(implementation = MgmtApi.TargetFilter.class)))
    @APIResponse(responseCode = "409", description = "A filter with this name exists already")
    public Response create(String body) {
        return Response.status(201).entity(filters.create(json.one(body, MgmtApi.TargetFilterRequest.class),
                MgmtJson.caller(identity))).build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{filterId}")
    @Operation(summary = "hawkBit: one target filter")
    @APIResponse(responseCode = "200", description = "The filter",
            content = @Content(schema = @Schema(implementation = MgmtApi.TargetFilter.class)))
    public MgmtApi.TargetFilter get(@PathParam("filterId") long filterId) {
        return filters.get(filterId);
    }

    @PUT
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Path("/{filterId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: change a target filter's name and/or query")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.TargetFilterRequest.class)))
    @APIResponse(responseCode = "200", description = "The filter",
            content = @Content(schema = @Schema(implementation = MgmtApi.TargetFilter.class)))
    @APIResponse(responseCode = "409", description = "Another filter has this name")
    public MgmtApi.TargetFilter update(@PathParam("filterId") long filterId, String body) {
        return filters.update(filterId, json.one(body, MgmtApi.TargetFilterRequest.class), MgmtJson.caller(identity));
    }

    @DELETE
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Path("/{filterId}")
    @Operation(summary = "hawkBit: delete a target filter")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("filterId") long filterId) {
        filters.delete(filterId);
        return Response.noContent().build();
    }
}
