package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.Specs;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.devicefilter.DeviceFilters;
import dev.modelyard.server.devicefilter.DeviceGroupApi;
import dev.modelyard.server.devicefilter.DeviceGroups;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** Device groups: description and filter as the manifest has them; a filter that does not compile is an error at its character. */
@ApplicationScoped
class GroupObjects implements ObjectKind {

    private final DeviceGroups groups;
    private final DeviceFilters filters;
    private final ObjectMapper json;

    GroupObjects(DeviceGroups groups, DeviceFilters filters, ObjectMapper json) {
        this.groups = groups;
        this.filters = filters;
        this.json = json;
    }

    @Override
    public Kind kind() {
        return Kind.DEVICE_GROUP;
    }

    @Override
    public String readPermission() {
        return Permission.DEVICES_READ;
    }

    @Override
    public List<String> permissions(Plan.Change change, Manifest manifest) {
        return switch (change.action()) {
            case create, update -> List.of(Permission.DEVICES_UPDATE);
            case delete -> List.of(Permission.DEVICES_DELETE);
            default -> List.of();
        };
    }

    @Override
    public void check(Manifest m, PlanContext context, List<ManifestError> errors) {
        checkFilter(filters, m, "/spec/filter", m.deviceGroup().filter(), errors);
    }

    /** A device filter of a manifest compiled now; its error placed at the bad token's line and column. */
    static void checkFilter(DeviceFilters filters, Manifest m, String pointer, String filter, List<ManifestError> errors) {
        try {
            PlanContext.read(() -> filters.compileField(filter, "filter"));
        } catch (DomainException e) {
            if (e.code() != ErrorCode.INVALID_FILTER && e.code() != ErrorCode.MISSING_FIELD) throw e;
            String path = pointer.substring(1).replace('/', '.');
            errors.add(e.tokenOffset() == null ? m.errorAt(pointer, path + ": " + e.detail())
                    : m.errorInside(pointer, e.tokenOffset(), path + ": " + e.detail()));
        }
    }

    /** How many devices the filter matches now. */
    static long count(DeviceFilters filters, String filter) {
        return PlanContext.read(() -> filters.count(filters.compileField(filter, "filter")));
    }

    @Override
    public Plan.Change plan(Manifest m, Optional<ManagedObject> managed, PlanContext context) {
        Optional<DeviceGroupApi.GroupView> current = current(m.name());
        Specs.DeviceGroupSpec spec = m.deviceGroup();
        Long devices = count(filters, spec.filter());
        if (current.isEmpty()) return ObjectKind.change(m, Plan.Action.create, List.of(), devices, null);
        ObjectNode actual = json.createObjectNode();
        actual.put("description", current.get().description());
        actual.put("filter", current.get().filter());
        ObjectNode desired = json.createObjectNode();
        desired.put("description", spec.description() == null || spec.description().isBlank() ? null : spec.description());
        desired.put("filter", spec.filter());
        List<Plan.Difference> differences = Differences.between("spec", actual, desired);
        return ObjectKind.change(m, differences.isEmpty() ? Plan.Action.unchanged : Plan.Action.update, differences, devices, null);
    }

    @Override
    public Plan.Change planDelete(ManagedObject o, PlanContext context) {
        if (current(o.name).isEmpty()) return ObjectKind.removal(o, Plan.Action.delete, null, "already deleted; no longer managed");
        return ObjectKind.removal(o, Plan.Action.delete, null, "rollouts that targeted it keep the filter they copied");
    }

    @Override
    public void apply(Plan.Change change, Manifest m, PlanContext context) {
        Specs.DeviceGroupSpec spec = m.deviceGroup();
        if (change.action() == Plan.Action.create) {
            groups.create(new DeviceGroupApi.CreateGroup(m.name(), spec.description(), spec.filter()), context.actor().name());
        } else {
            groups.update(m.name(), new DeviceGroupApi.UpdateGroup(spec.description(), spec.filter()));
        }
    }

    @Override
    public void delete(Plan.Change change, PlanContext context) {
        if (current(change.name()).isPresent()) groups.delete(change.name());
    }

    private Optional<DeviceGroupApi.GroupView> current(String name) {
        try {
            return Optional.of(PlanContext.read(() -> groups.get(name)));
        } catch (DomainException e) {
            if (e.code() == ErrorCode.DEVICE_GROUP_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }
}
