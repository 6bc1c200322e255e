package dev.modelyard.server.devicefilter;

import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.device.DeviceService;
import dev.modelyard.server.device.DeviceStatus;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Arrays;
import java.util.List;

/** Pages of the devices a filter selects, as the device API shows them. */
@ApplicationScoped
public class FilteredDevices {

    private final DeviceFilters filters;
    private final DeviceService devices;

    public FilteredDevices(DeviceFilters filters, DeviceService devices) {
        this.filters = filters;
        this.devices = devices;
    }

    /** One page of the matching devices of the current tenant, in controller-id order, with the total. */
    @Transactional
    public Page<DeviceApi.DeviceView> page(DeviceFilter filter, io.quarkus.panache.common.Page page) {
        long total = filters.count(filter);
        List<Long> ids = filters.ids(filter, (long) page.index * page.size, page.size);
        return new Page<>(devices.views(ids), page.index, page.size, total);
    }

    /**
     * The device list's parameters as one filter: {@code q} (a filter or a controller id prefix)
     * and the older {@code tag} and {@code status} parameters, all of which must match.
     */
    @Transactional
    public DeviceFilter listFilter(String q, String tag, String status) {
        DeviceFilter f = filters.compileSearch(q);
        if (tag != null && !tag.isBlank()) {
            f = DeviceFilters.and(f, new DeviceFilter("tag==" + tag,
                    "EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ?)", List.of(tag)));
        }
        if (status != null && !status.isBlank()) {
            DeviceStatus s;
            try {
                s = DeviceStatus.parse(status);
            } catch (IllegalArgumentException e) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "status", e.getMessage(),
                        Arrays.stream(DeviceStatus.values()).map(DeviceStatus::wireName).toList());
            }
            f = DeviceFilters.and(f, new DeviceFilter("status==" + status, "d.status = ?", List.of(s.name())));
        }
        return f;
    }
}
