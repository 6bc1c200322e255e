package dev.modelyard.server.devicefilter;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
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
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Device groups: saved device filters with their live count and members. */
@Path("/api/v1/device-groups")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.DEVICE_GROUPS)
public class DeviceGroupResource {

    private final DeviceGroups groups;
    private final SecurityIdentity identity;

    public DeviceGroupResource(DeviceGroups groups, SecurityIdentity identity) {
        this.groups = groups;
        this.identity = identity;
    }

    @POST
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Save a device filter as a group", description = "The filter is checked now (400 `invalid-filter` "
            + "with the `offset` of the bad token, `field` is `filter`) and evaluated whenever the group is read.")
    @APIResponseSchema(value = DeviceGroupApi.GroupView.class, responseCode = "201",
            responseDescription = "The group with its live count; Location names it")
    @APIResponse(responseCode = "409", description = "A group with this name exists")
    public Response create(DeviceGroupApi.CreateGroup body) {
        DeviceGroupApi.GroupView g = groups.create(body, identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/device-groups/" + g.name())).entity(g).build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Operation(summary = "List device groups", description = "By name, each with its live count; with `counts=false` "
            + "without counts (each count runs the group's filter over the fleet), for pickers that only need names and filters.")
    public Page<DeviceGroupApi.GroupView> list(@QueryParam("page") Integer page, @QueryParam("size") Integer size,
                                               @Parameter(description = "Count each group's devices (default true)")
                                               @QueryParam("counts") Boolean counts) {
        return groups.list(Page.request(page, size), counts == null || counts);
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{name}")
    @Operation(summary = "A device group with its live count")
    public DeviceGroupApi.GroupView get(@PathParam("name") String name) {
        return groups.get(name);
    }

    @PUT
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a device group's filter and description")
    public DeviceGroupApi.GroupView update(@PathParam("name") String name, DeviceGroupApi.UpdateGroup body) {
        return groups.update(name, body);
    }

    @DELETE
    @PermissionsAllowed(Permission.DEVICES_DELETE)
    @Path("/{name}")
    @Operation(summary = "Delete a device group", description = "Its devices are untouched.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("name") String name) {
        groups.delete(name);
        return Response.noContent().build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{name}/devices")
    @Operation(summary = "The devices a group's filter selects now", description = "In controller-id order.")
    public Page<DeviceApi.DeviceView> devices(@PathParam("name") String name, @QueryParam("page") Integer page,
                                              @QueryParam("size") Integer size) {
        return groups.devices(name, Page.request(page, size));
    }
}
