package dev.modelyard.server.desiredstate;

import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import java.util.List;
import java.util.Optional;

/**
 * One kind of manifest against the domain service that owns its objects: what to check beyond the
 * schema, how the server's object compares with the manifest, and how to make it so. Every change
 * goes through the owning service, so its validation, events and audit apply as they do for the API.
 */
interface ObjectKind {

    Kind kind();

    /** The permission that reading objects of this kind needs (planning reads them). */
    String readPermission();

    /** The permissions {@code change} needs; {@code manifest} is null for a delete. */
    List<String> permissions(Plan.Change change, Manifest manifest);

    /** The checks the schema cannot make (a version that must exist, a filter that must compile), as errors at file:line:col. */
    void check(Manifest manifest, PlanContext context, List<ManifestError> errors);

    /** How the server's object differs from the manifest. */
    Plan.Change plan(Manifest manifest, Optional<ManagedObject> managed, PlanContext context);

    /** What pruning the object no longer in the set would do (delete, or a conflict saying why not). */
    Plan.Change planDelete(ManagedObject managed, PlanContext context);

    /** Makes a create or update of the plan so; runs inside apply's one transaction. */
    void apply(Plan.Change change, Manifest manifest, PlanContext context);

    /** Deletes a pruned object; runs inside apply's one transaction. */
    void delete(Plan.Change change, PlanContext context);

    static Plan.Change change(Manifest m, Plan.Action action, List<Plan.Difference> differences, Long devices, String note) {
        return new Plan.Change(m.kind().wireName(), m.name(), action, differences, devices, note, m.file(),
                m.sources().value("/metadata/name").line());
    }

    static Plan.Change removal(ManagedObject o, Plan.Action action, Long devices, String note) {
        return new Plan.Change(o.kind, o.name, action, List.of(), devices, note, null, null);
    }
}
