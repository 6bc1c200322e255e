package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.Specs;
import dev.modelyard.server.auth.ModelScope;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.devicefilter.DeviceFilters;
import dev.modelyard.server.devicefilter.DeviceGroupApi;
import dev.modelyard.server.devicefilter.DeviceGroups;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelApi;
import dev.modelyard.server.model.ModelQueries;
import dev.modelyard.server.rollout.RolloutApi;
import dev.modelyard.server.rollout.RolloutService;
import dev.modelyard.server.rollout.RolloutState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Rollouts. A rollout is an event, not a setting: apply creates one that is absent (a draft unless
 * {@code start: true}); one that exists is compared with the spec last applied. If it differs and the
 * rollout is still a draft, apply replaces it (delete and create, through the rollout API); once it
 * left the draft state the difference is a {@code conflict}: apply never changes, pauses or cancels a
 * rollout that runs or ran. Prune deletes a draft or finished rollout and refuses (a conflict) one
 * that is still under way: cancelling is a decision for a person, through the API.
 */
@ApplicationScoped
class RolloutObjects implements ObjectKind {

    private final RolloutService rollouts;
    private final ModelQueries models;
    private final DeviceGroups groups;
    private final DeviceFilters filters;
    private final ModelScope scope;
    private final ObjectMapper json;

    RolloutObjects(RolloutService rollouts, ModelQueries models, DeviceGroups groups, DeviceFilters filters, ModelScope scope,
                   ObjectMapper json) {
        this.rollouts = rollouts;
        this.models = models;
        this.groups = groups;
        this.filters = filters;
        this.scope = scope;
        this.json = json;
    }

    @Override
    public Kind kind() {
        return Kind.ROLLOUT;
    }

    @Override
    public String readPermission() {
        return Permission.ROLLOUTS_READ;
    }

    @Override
    public List<String> permissions(Plan.Change change, Manifest manifest) {
        return switch (change.action()) {
            case create -> List.of(Permission.ROLLOUTS_CREATE);
            case update -> List.of(Permission.ROLLOUTS_DELETE, Permission.ROLLOUTS_CREATE);
            case delete -> List.of(Permission.ROLLOUTS_DELETE);
            default -> List.of();
        };
    }

    @Override
    public void check(Manifest m, PlanContext context, List<ManifestError> errors) {
        Specs.RolloutSpec spec = m.rollout();
        if (!scope.allows(spec.model())) {
            errors.add(m.errorAt("/spec/model", "spec.model: this token may not use model '" + spec.model() + "' (it is scoped)"));
        } else {
            checkVersion(m, spec, context, errors);
        }
        if (spec.filter() != null) GroupObjects.checkFilter(filters, m, "/spec/filter", spec.filter(), errors);
        if (spec.group() != null && !context.declares(Kind.DEVICE_GROUP, spec.group()) && group(spec.group()).isEmpty()) {
            errors.add(m.errorAt("/spec/group", "spec.group: there is no device group named '" + spec.group()
                    + "' (neither on the server nor in these manifests)"));
        }
    }

    /** The version must resolve to a deployable one, counting an alias the same manifest set moves. */
    private void checkVersion(Manifest m, Specs.RolloutSpec spec, PlanContext context, List<ManifestError> errors) {
        String ref = context.manifest(Kind.MODEL, spec.model()).map(Manifest::model)
                .map(Specs.ModelSpec::aliases).map(a -> a.get(spec.version())).orElse(spec.version());
        try {
            ModelApi.VersionView v = PlanContext.read(() -> models.getVersion(spec.model(), ref));
            if (!v.status().isDeployable()) {
                errors.add(m.errorAt("/spec/version", "spec.version: version " + v.version() + " of '" + spec.model() + "' is "
                        + v.status().wireName() + "; only published or deprecated versions can be rolled out"));
            }
        } catch (DomainException e) {
            if (e.code() == ErrorCode.MODEL_NOT_FOUND) {
                errors.add(m.errorAt("/spec/model", "spec.model: there is no model named '" + spec.model() + "'"));
            } else {
                errors.add(m.errorAt("/spec/version", "spec.version: " + e.detail()));
            }
        }
    }

    @Override
    public Plan.Change plan(Manifest m, Optional<ManagedObject> managed, PlanContext context) {
        Long devices = devices(m.rollout(), context);
        Optional<RolloutApi.RolloutView> current = current(m.name());
        if (current.isEmpty()) {
            String note = Boolean.TRUE.equals(m.rollout().start()) ? "starts when created" : "created as a draft (start: false)";
            return ObjectKind.change(m, Plan.Action.create, List.of(), devices, note);
        }
        boolean same = managed.isPresent() && managed.get().specHash.equals(Differences.hash(m.spec()));
        if (same) return ObjectKind.change(m, Plan.Action.unchanged, List.of(), devices, null);
        JsonNode before = managed.map(o -> read(o.spec)).orElse(json.createObjectNode());
        List<Plan.Difference> differences = Differences.between("spec", before, m.spec());
        String state = current.get().state();
        if (RolloutState.DRAFT.wireName().equals(state)) {
            return ObjectKind.change(m, Plan.Action.update, differences, devices, managed.isEmpty()
                    ? "a draft rollout of this name exists that these manifests did not make: it is replaced" : "the draft is replaced");
        }
        return ObjectKind.change(m, Plan.Action.conflict, differences, devices,
                "conflict: running rollouts are not changed by apply (rollout is " + state + "); give the new one another name");
    }

    /** How many devices the rollout's group (on the server, or as the same set declares it) or filter matches now. */
    private Long devices(Specs.RolloutSpec spec, PlanContext context) {
        if (spec.filter() != null) return GroupObjects.count(filters, spec.filter());
        Optional<Manifest> declared = context.manifest(Kind.DEVICE_GROUP, spec.group());
        if (declared.isPresent()) return GroupObjects.count(filters, declared.get().deviceGroup().filter());
        return group(spec.group()).map(DeviceGroupApi.GroupView::count).orElse(null);
    }

    @Override
    public Plan.Change planDelete(ManagedObject o, PlanContext context) {
        Optional<RolloutApi.RolloutView> current = current(o.name);
        if (current.isEmpty()) return ObjectKind.removal(o, Plan.Action.delete, null, "already deleted; no longer managed");
        String state = current.get().state();
        boolean finished = Arrays.stream(RolloutState.values()).anyMatch(s -> s.wireName().equals(state) && s.isFinished());
        if (!finished && !RolloutState.DRAFT.wireName().equals(state)) {
            return ObjectKind.removal(o, Plan.Action.conflict, current.get().totalDevices() == null ? null
                    : current.get().totalDevices().longValue(), "conflict: rollout is " + state
                    + "; prune does not cancel rollouts (cancel it through the API, then apply again)");
        }
        return ObjectKind.removal(o, Plan.Action.delete, null, null);
    }

    @Override
    public void apply(Plan.Change change, Manifest m, PlanContext context) {
        if (change.action() == Plan.Action.update) {
            RolloutApi.RolloutView draft = rollouts.byName(m.name())
                    .orElseThrow(() -> DomainException.of(ErrorCode.CONCURRENT_REQUEST, "rollout '" + m.name() + "' disappeared; apply again"));
            rollouts.delete(draft.id());
        }
        ObjectNode body = m.spec().deepCopy();
        body.put("name", m.name());
        rollouts.create(json.convertValue(body, RolloutApi.Create.class), context.actor().name(),
                context.actor().may(Permission.ROLLOUTS_ROLLBACK));
    }

    @Override
    public void delete(Plan.Change change, PlanContext context) {
        Optional<RolloutApi.RolloutView> current = rollouts.byName(change.name());
        if (current.isPresent()) rollouts.delete(current.get().id());
    }

    private Optional<RolloutApi.RolloutView> current(String name) {
        return PlanContext.read(() -> rollouts.byName(name));
    }

    private Optional<DeviceGroupApi.GroupView> group(String name) {
        try {
            return Optional.of(PlanContext.read(() -> groups.get(name)));
        } catch (DomainException e) {
            if (e.code() == ErrorCode.DEVICE_GROUP_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    private JsonNode read(String spec) {
        try {
            return json.readTree(spec);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("managed spec is not JSON", e);
        }
    }

}
