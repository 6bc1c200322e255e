package dev.modelyard.server.devicefilter;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
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
    private final DeviceSuggestions suggestions;

    public DeviceListResource(DeviceFilters filters, FilteredDevices devices, DeviceSuggestions suggestions) {
        this.filters = filters;
        this.devices = devices;
        this.suggestions = suggestions;
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

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/suggestions")
    @Operation(summary = "Selectors a device filter can use, from what the fleet reports",
            description = "For a filter builder: the fixed selectors, then `attribute.<key>` for every attribute key the "
                    + "tenant's devices report and `installed.<model>` for every model they run, the most common first, "
                    + "each with its device count and the operators it takes. Counted at most every 30 s per tenant.")
    public DeviceSuggestionApi.Selectors suggestions() {
        return suggestions.selectors();
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/suggestions/values")
    @Operation(summary = "The most common values of one filter selector",
            description = "Values of `selector` (`attribute.<key>`, `tag`, `status`, `installed.<model>`, `name`, "
                    + "`controllerId`; relative times for `lastSeen` and `createdAt`) that start with `prefix` "
                    + "(case-insensitive), the most common first, with device counts; at most `limit` (1 to 100, default 20). "
                    + "Counted at most every 30 s per tenant and selector, from the 1000 most common values. "
                    + "An `attribute.<key>` or `installed.<model>` selector must be one `GET /devices/suggestions` lists.")
    @APIResponseSchema(value = DeviceSuggestionApi.Values.class, responseCode = "200",
            responseDescription = "The values, the most common first")
    @APIResponse(responseCode = "400", description = "No suggestions for this selector (unknown, or an attribute key or model no device reports), or a parameter out of range")
    public DeviceSuggestionApi.Values suggestionValues(
            @Parameter(description = "A filter selector, e.g. `attribute.arch`") @QueryParam("selector") String selector,
            @Parameter(description = "What the value starts with") @QueryParam("prefix") String prefix,
            @Parameter(description = "At most this many values (1 to 100, default 20)") @QueryParam("limit") Integer limit) {
        return suggestions.values(selector, prefix, limit);
    }

    @GET
    @PermissionsAllowed(Permission.DEVICES_READ)
    @Path("/filter-check")
    @Transactional
    @Operation(summary = "Check a device filter as it is typed",
            description = "For previews that check each keystroke: always 200, `{\"valid\": true, \"count\": n}` or "
                    + "`{\"valid\": false, \"problem\": {…}}` with the members of the `invalid-filter` problem the list "
                    + "and count would answer (`offset` of the bad token, `detail` with a suggestion, `accepted`). "
                    + "`count=false` checks without counting.")
    @APIResponseSchema(value = DeviceSuggestionApi.FilterCheck.class, responseCode = "200",
            responseDescription = "Whether the filter is valid, with its count or its problem")
    public DeviceSuggestionApi.FilterCheck check(@Parameter(description = FILTER_HELP) @QueryParam("q") String q,
                                                 @Parameter(description = "Count the matching devices (default true)")
                                                 @QueryParam("count") @DefaultValue("true") boolean count) {
        DeviceFilter f;
        try {
            f = filters.compile(q);
        } catch (DomainException e) {
            if (e.code() != ErrorCode.INVALID_FILTER) throw e;
            return new DeviceSuggestionApi.FilterCheck(false, null, new DeviceSuggestionApi.FilterProblem(
                    e.code().wireName(), e.detail(), e.parameter(), e.tokenOffset(), e.accepted()));
        }
        return new DeviceSuggestionApi.FilterCheck(true, count ? filters.count(f) : null, null);
    }
}
