package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.Paths;
import dev.modelyard.manifests.Specs;
import dev.modelyard.server.auth.ModelScope;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.Aliases;
import dev.modelyard.server.model.ModelApi;
import dev.modelyard.server.model.ModelCatalogue;
import dev.modelyard.server.model.ModelQueries;
import dev.modelyard.server.model.VersionStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Models: description, task, framework and labels are set as the manifest has them (fields it leaves
 * out are left alone); each alias it lists points at its version through the alias API (aliases it
 * does not list are left alone). Versions come from uploads and publication, never from manifests.
 * Prune deletes a model only while it has released nothing, as the API does; a model with releases
 * is a conflict.
 */
@ApplicationScoped
class ModelObjects implements ObjectKind {

    private static final List<String> FIELDS = List.of("description", "task", "framework", "labels");

    private final ModelQueries queries;
    private final ModelCatalogue catalogue;
    private final Aliases aliases;
    private final ModelScope scope;
    private final ObjectMapper json;

    ModelObjects(ModelQueries queries, ModelCatalogue catalogue, Aliases aliases, ModelScope scope, ObjectMapper json) {
        this.queries = queries;
        this.catalogue = catalogue;
        this.aliases = aliases;
        this.scope = scope;
        this.json = json;
    }

    @Override
    public Kind kind() {
        return Kind.MODEL;
    }

    @Override
    public String readPermission() {
        return Permission.MODELS_READ;
    }

    @Override
    public List<String> permissions(Plan.Change change, Manifest manifest) {
        return switch (change.action()) {
            case create -> manifest.model().aliases() == null || manifest.model().aliases().isEmpty()
                    ? List.of(Permission.MODELS_CREATE) : List.of(Permission.MODELS_CREATE, Permission.MODELS_UPDATE);
            case update -> List.of(Permission.MODELS_UPDATE);
            case delete -> List.of(Permission.MODELS_DELETE);
            default -> List.of();
        };
    }

    @Override
    public void check(Manifest m, PlanContext context, List<ManifestError> errors) {
        if (!scope.allows(m.name())) {
            errors.add(m.errorAt("/metadata/name", "metadata.name: this token may not manage model '" + m.name() + "' (it is scoped)"));
            return;
        }
        Map<String, String> wanted = m.model().aliases();
        if (wanted == null || wanted.isEmpty()) return;
        boolean exists = current(m.name()).isPresent();
        for (var alias : wanted.entrySet()) {
            String pointer = Paths.member("/spec/aliases", alias.getKey());
            String path = Paths.dotted(pointer);
            if (!exists) {
                errors.add(m.errorAt(pointer, path + ": model '" + m.name() + "' does not exist yet, so it has no version "
                        + alias.getValue() + " to point at; create and publish the version first, or leave the alias out"));
                continue;
            }
            try {
                ModelApi.VersionView v = PlanContext.read(() -> queries.getVersion(m.name(), alias.getValue()));
                if (v.status() != VersionStatus.PUBLISHED) {
                    errors.add(m.errorAt(pointer, path + ": version " + v.version() + " of '" + m.name() + "' is "
                            + v.status().wireName() + "; an alias can only point at a published version"));
                }
            } catch (DomainException e) {
                errors.add(m.errorAt(pointer, path + ": model '" + m.name() + "' has no version " + alias.getValue()));
            }
        }
    }

    @Override
    public Plan.Change plan(Manifest m, Optional<ManagedObject> managed, PlanContext context) {
        Optional<ModelApi.ModelView> current = current(m.name());
        if (current.isEmpty()) return ObjectKind.change(m, Plan.Action.create, List.of(), null, null);
        List<Plan.Difference> differences = Differences.between("spec", actual(current.get(), m.spec()), m.spec());
        return ObjectKind.change(m, differences.isEmpty() ? Plan.Action.unchanged : Plan.Action.update, differences, null, null);
    }

    /** The server's model in the manifest's shape: only the fields and aliases the manifest manages. */
    private ObjectNode actual(ModelApi.ModelView view, ObjectNode spec) {
        ObjectNode all = json.valueToTree(view);
        ObjectNode out = json.createObjectNode();
        for (String f : FIELDS) if (spec.has(f)) out.set(f, all.get(f));
        if (spec.has("aliases")) {
            ObjectNode a = out.putObject("aliases");
            Map<String, String> now = view.aliases() == null ? Map.of() : view.aliases();
            spec.get("aliases").fieldNames().forEachRemaining(alias -> {
                if (now.containsKey(alias)) a.put(alias, now.get(alias));
            });
        }
        return out;
    }

    @Override
    public Plan.Change planDelete(ManagedObject o, PlanContext context) {
        if (current(o.name).isEmpty()) return ObjectKind.removal(o, Plan.Action.delete, null, "already deleted; no longer managed");
        boolean released = VersionStatus.wireNames().stream().filter(s -> !s.equals(VersionStatus.DRAFT.wireName()))
                .anyMatch(s -> PlanContext.read(() -> queries.listVersions(o.name, ModelQueries.statusFilter(s),
                        io.quarkus.panache.common.Page.ofSize(1)).total()) > 0);
        if (released) {
            return ObjectKind.removal(o, Plan.Action.conflict, null, "model '" + o.name + "' has released versions: prune "
                    + "does not delete it (deprecate or revoke its versions; delete it through the API once it released nothing)");
        }
        return ObjectKind.removal(o, Plan.Action.delete, null, null);
    }

    @Override
    public void apply(Plan.Change change, Manifest m, PlanContext context) {
        Specs.ModelSpec spec = m.model();
        String by = context.actor().name();
        if (change.action() == Plan.Action.create) {
            catalogue.create(new ModelApi.CreateModel(m.name(), spec.description(), spec.task(), spec.framework(), spec.labels()), by);
        } else {
            ObjectNode patch = json.createObjectNode();
            List<String> aliasPaths = new ArrayList<>();
            for (Plan.Difference d : change.differences()) {
                String field = d.path().substring("spec.".length());
                if (field.startsWith("aliases.")) {
                    aliasPaths.add(field.substring("aliases.".length()));
                } else if (field.startsWith("labels.")) {
                    ObjectNode labels = patch.has("labels") ? (ObjectNode) patch.get("labels") : patch.putObject("labels");
                    labels.set(field.substring("labels.".length()), d.to() == null ? json.nullNode() : d.to());
                } else {
                    patch.set(field, d.to() == null ? json.nullNode() : d.to());
                }
            }
            if (!patch.isEmpty()) catalogue.patch(m.name(), patch);
            for (String alias : aliasPaths) aliases.set(m.name(), alias, new ModelApi.SetAlias(spec.aliases().get(alias)), by);
            return;
        }
        if (spec.aliases() != null) {
            spec.aliases().forEach((alias, version) -> aliases.set(m.name(), alias, new ModelApi.SetAlias(version), by));
        }
    }

    @Override
    public void delete(Plan.Change change, PlanContext context) {
        if (current(change.name()).isPresent()) catalogue.delete(change.name());
    }

    private Optional<ModelApi.ModelView> current(String name) {
        try {
            return Optional.of(PlanContext.read(() -> queries.getModel(name)));
        } catch (DomainException e) {
            if (e.code() == ErrorCode.MODEL_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }
}
