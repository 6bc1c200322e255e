package dev.modelyard.server.devicefilter;

import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.http.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import org.hibernate.exception.ConstraintViolationException;

/** Device groups: filters saved under a name, evaluated whenever they are read. */
@ApplicationScoped
public class DeviceGroups {

    static final int MAX_DESCRIPTION = 2000;

    private final DeviceFilters filters;
    private final FilteredDevices devices;
    private final Clock clock;

    public DeviceGroups(DeviceFilters filters, FilteredDevices devices, Clock clock) {
        this.filters = filters;
        this.devices = devices;
        this.clock = clock;
    }

    /** The group's filter compiled now (relative times are relative to now); for rollouts that target a group. */
    @Transactional
    public DeviceFilter filter(String name) {
        return filters.compileField(group(name).filter, "filter");
    }

    @Transactional
    public DeviceGroupApi.GroupView create(DeviceGroupApi.CreateGroup body, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"name\": …, \"filter\": …}");
        if (body.name() == null) throw DomainException.field(ErrorCode.MISSING_FIELD, "name", "name: required");
        Names.require("name", body.name());
        if (DeviceGroup.findByName(body.name()).isPresent()) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a device group named '" + body.name() + "' exists already");
        }
        DeviceGroup g = new DeviceGroup();
        g.name = body.name();
        g.description = description(body.description());
        g.filter = validFilter(body.filter());
        g.createdAt = g.updatedAt = clock.instant();
        g.createdBy = by;
        try {
            g.persistAndFlush();
        } catch (PersistenceException e) {
            // a concurrent create of the same name: the unique index decides
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a device group named '" + body.name() + "' exists already");
            }
            throw e;
        }
        return view(g);
    }

    @Transactional
    public DeviceGroupApi.GroupView update(String name, DeviceGroupApi.UpdateGroup body) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"filter\": …}");
        DeviceGroup g = group(name);
        g.filter = validFilter(body.filter());
        g.description = description(body.description());
        g.updatedAt = clock.instant();
        return view(g);
    }

    @Transactional
    public void delete(String name) {
        group(name).delete();
    }

    @Transactional
    public DeviceGroupApi.GroupView get(String name) {
        return view(group(name));
    }

    @Transactional
    public Page<DeviceGroupApi.GroupView> list(io.quarkus.panache.common.Page page, boolean counts) {
        var query = DeviceGroup.<DeviceGroup>find("order by name").page(page);
        List<DeviceGroupApi.GroupView> items = query.list().stream().map(g -> view(g, counts)).toList();
        return new Page<>(items, page.index, page.size, query.count());
    }

    /** The devices the group's filter selects now. */
    @Transactional
    public Page<DeviceApi.DeviceView> devices(String name, io.quarkus.panache.common.Page page) {
        return devices.page(filter(name), page);
    }

    private DeviceGroup group(String name) {
        return DeviceGroup.findByName(name).orElseThrow(() -> DomainException.of(ErrorCode.DEVICE_GROUP_NOT_FOUND,
                "no device group named '" + name + "'"));
    }

    private String validFilter(String filter) {
        if (filter == null || filter.isBlank()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "filter", "filter: required (a device filter; "
                    + "every device would be 'controllerId==*')");
        }
        filters.compileField(filter, "filter");
        return filter;
    }

    private static String description(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "description", "description: at most " + MAX_DESCRIPTION + " characters");
        }
        return description == null || description.isBlank() ? null : description;
    }

    /** The view with the live count; a filter that no longer compiles shows why instead of failing the read. */
    private DeviceGroupApi.GroupView view(DeviceGroup g) {
        return view(g, true);
    }

    /** The group; with {@code count}, how many devices its filter selects now (a query over the fleet). */
    private DeviceGroupApi.GroupView view(DeviceGroup g, boolean count) {
        Long devices = null;
        String problem = null;
        try {
            var compiled = filters.compileField(g.filter, "filter");
            if (count) devices = filters.count(compiled);
        } catch (DomainException e) {
            problem = e.getMessage();
        }
        return new DeviceGroupApi.GroupView(g.name, g.description, g.filter, devices, problem, g.createdAt, g.updatedAt, g.createdBy);
    }
}
