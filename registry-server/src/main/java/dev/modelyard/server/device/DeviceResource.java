package dev.modelyard.server.device;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Device management: provision (token shown once), read, tag, rotate tokens, delete. The list and
 * count, which take a device filter, are {@code devicefilter.DeviceListResource}'s: the filter
 * language builds on devices, so devices cannot depend on it.
 */
@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.DEVICES)
public class DeviceResource {

    private final DeviceService devices;
    private final SecurityIdentity identity;

    public DeviceResource(DeviceService devices, SecurityIdentity identity) {
        this.devices = devices;
        this.identity = identity;
    }

    @POST
    @PermissionsAllowed(Permission.DEVICES_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Provision a device", description = "The answer carries the device's DDI token ('TargetToken') once; only its hash is kept.")
    @APIResponseSchema(value = DeviceApi.DeviceView.class, responseCode = "201",
            responseDescription = "The device with its DDI token (shown once); Location names it")
    @APIResponse(responseCode = "409", description = "A device with this controller id exists")
    public Response create(DeviceApi.CreateDevice body) {
        DeviceService.Created c = devices.create(body, identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/devices/" + c.device().controllerId))
                .entity(devices.get(c.device().controllerId).withToken(c.secret())).build();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/{controllerId}")
    @Operation(summary = "A device: status, attributes, tags, installed model versions, last poll")
    public DeviceApi.DeviceView get(@PathParam("controllerId") String controllerId) {
        return devices.get(controllerId);
    }

    @PATCH
    @PermissionsAllowed(Permission.DEVICES_UPDATE)
    @Path("/{controllerId}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @Operation(summary = "Change a device's name, description or tags")
    public DeviceApi.DeviceView patch(@PathParam("controllerId") String controllerId, DeviceApi.PatchDevice body) {
        return devices.patch(controllerId, body);
    }

    @DELETE
    @PermissionsAllowed(Permission.DEVICES_DELETE)
    @Path("/{controllerId}")
    @Operation(summary = "Delete a device with its actions")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("controllerId") String controllerId) {
        devices.delete(controllerId);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.DEVICES_CREDENTIALS)
    @Path("/{controllerId}/token")
    @Operation(summary = "Rotate a device's token", description = "The new token is in the answer, once; the old one stops working.")
    public DeviceApi.DeviceView rotate(@PathParam("controllerId") String controllerId) {
        return devices.rotateToken(controllerId);
    }
}
