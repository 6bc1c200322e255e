package dev.modelyard.server.devicefilter;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The device list and its count, filtered by the device filter language. Here rather than in
 * {@code device.DeviceResource} (same path) because the filter language depends on devices.
 */
@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.DEVICES)
public class DeviceListResource {

    static final String FILTER_HELP = "A device filter (README: Device filters and groups), e.g. "
            + "`attribute.arch==aarch64;tag=in=(store,kiosk);installed.detector=lt=2.0.0`. "
            + "A refused filter answers 400 `invalid-filter` with the `offset` of the bad token.";

    private final DeviceFilters filters;
    private final FilteredDevices devices;

    public DeviceListResource(DeviceFilters filters, FilteredDevices devices) {
        this.filters = filters;
        this.devices = devices;
    }

    public record Count(long count) {
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Operation(summary = "List devices", description = "Devices in controller-id order, filtered by `q` (a device filter, or a "
            + "bare word: the controller ids that start with it), `tag` and `status` (unknown, registered, pending, in_sync, "
            + "error); all given must match.")
    public Page<DeviceApi.DeviceView> list(@Parameter(description = FILTER_HELP) @QueryParam("q") String q,
                                           @QueryParam("tag") String tag, @QueryParam("status") String status,
                                           @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        io.quarkus.panache.common.Page p = Page.request(page, size);
        return devices.page(devices.listFilter(q, tag, status), p);
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/count")
    @Transactional
    @Operation(summary = "Count the devices a filter selects", description = "For previews of a rollout or a group: "
            + "`{\"count\": n}`; without `q`, every device.")
    public Count count(@Parameter(description = FILTER_HELP) @QueryParam("q") String q) {
        return new Count(filters.count(filters.compile(q)));
    }
}
