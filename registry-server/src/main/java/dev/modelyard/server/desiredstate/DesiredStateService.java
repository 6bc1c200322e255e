package dev.modelyard.server.desiredstate;

import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.ManifestReader;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.InputError;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Desired state: a set of manifests compared with a tenant's objects ({@link #plan}) and made so
 * ({@link #apply}). It knows nothing of HTTP or of where the documents came from (files a CLI sent,
 * a git commit): callers hand it the texts, a source and a revision, and an {@link Actor}.
 * <p>
 * Apply is one transaction: every change is made through the owning domain service (its checks,
 * events and the audit trail's entity changes apply), and a change that fails rolls back all of
 * them, so a bad set changes nothing. Apply plans first, outside that transaction, so that every
 * problem it can know of beforehand is answered at once, as {@code invalid-manifest} with file, line
 * and column. Objects are recorded in {@code managed_object} with the source that manages them;
 * prune deletes only objects of the same source that the set no longer declares.
 */
@ApplicationScoped
public class DesiredStateService {

    private final Map<Kind, ObjectKind> kinds = new EnumMap<>(Kind.class);
    private final TenantContext tenants;
    private final Clock clock;

    DesiredStateService(Instance<ObjectKind> kinds, TenantContext tenants, Clock clock) {
        kinds.forEach(k -> this.kinds.put(k.kind(), k));
        this.tenants = tenants;
        this.clock = clock;
    }

    /** The result of apply: the plan it carried out (conflicts in it were left alone). */
    public record Applied(Plan plan, boolean changed) {
    }

    public Plan plan(String tenant, List<ManifestReader.Source> documents, Options options, Actor actor) {
        return tenants.callAs(tenant, () -> planned(documents, options, actor).plan());
    }

    public Applied apply(String tenant, List<ManifestReader.Source> documents, Options options, Actor actor) {
        return tenants.callAs(tenant, () -> {
            Planned p = planned(documents, options, actor);
            requirePermissions(p, actor);
            QuarkusTransaction.requiringNew().run(() -> carryOut(p, options, actor));
            return new Applied(p.plan(), p.plan().hasChanges());
        });
    }

    /** A plan with the manifests its changes came from. */
    private record Planned(Plan plan, Map<String, Manifest> manifests, PlanContext context) {

        Manifest manifest(Plan.Change c) {
            return manifests.get(c.kind() + "/" + c.name());
        }
    }

    private Planned planned(List<ManifestReader.Source> documents, Options options, Actor actor) {
        ManifestReader.Result read = ManifestReader.get().read(documents);
        if (!read.valid()) throw invalid(read.errors());
        List<Manifest> manifests = new ArrayList<>(read.manifests());
        manifests.sort(Comparator.comparing(Manifest::kind));
        List<ManagedObject> pruned = options.prune() ? prunable(manifests, options.source()) : List.of();
        requireRead(manifests, pruned, actor);

        PlanContext context = new PlanContext(manifests, actor);
        List<ManifestError> errors = new ArrayList<>();
        for (Manifest m : manifests) kinds.get(m.kind()).check(m, context, errors);
        if (!errors.isEmpty()) throw invalid(errors);

        List<Plan.Change> changes = new ArrayList<>();
        Map<String, Manifest> byKey = new java.util.HashMap<>();
        for (Manifest m : manifests) {
            Optional<ManagedObject> managed = PlanContext.read(() -> ManagedObject.find(m.kind().wireName(), m.name()));
            changes.add(kinds.get(m.kind()).plan(m, managed, context));
            byKey.put(m.kind().wireName() + "/" + m.name(), m);
        }
        // deletions after everything else, rollouts first (they may use a group that goes too)
        pruned.stream().sorted(Comparator.comparing((ManagedObject o) -> Kind.of(o.kind).orElseThrow()).reversed()
                        .thenComparing(o -> o.name))
                .forEach(o -> changes.add(kinds.get(Kind.of(o.kind).orElseThrow()).planDelete(o, context)));
        return new Planned(new Plan(options.source(), options.revision(), options.prune(), List.copyOf(changes)), byKey, context);
    }

    /** The objects the source manages that the set no longer declares. */
    private static List<ManagedObject> prunable(List<Manifest> manifests, String source) {
        Set<String> declared = new HashSet<>();
        manifests.forEach(m -> declared.add(m.kind().wireName() + "/" + m.name()));
        return PlanContext.read(() -> ManagedObject.bySource(source)).stream()
                .filter(o -> !declared.contains(o.kind + "/" + o.name)).toList();
    }

    private void requireRead(List<Manifest> manifests, List<ManagedObject> pruned, Actor actor) {
        Set<Kind> involved = new HashSet<>();
        manifests.forEach(m -> involved.add(m.kind()));
        pruned.forEach(o -> involved.add(Kind.of(o.kind).orElseThrow()));
        for (Kind k : involved) {
            String permission = kinds.get(k).readPermission();
            if (!actor.may(permission)) {
                throw DomainException.of(ErrorCode.FORBIDDEN, "planning " + k.wireName() + " manifests needs the permission " + permission);
            }
        }
    }

    /** Every change's permissions, checked before anything changes. */
    private void requirePermissions(Planned p, Actor actor) {
        for (Plan.Change c : p.plan().changes()) {
            Manifest m = p.manifest(c);
            for (String permission : kinds.get(Kind.of(c.kind()).orElseThrow()).permissions(c, m)) {
                if (!actor.may(permission)) {
                    throw DomainException.of(ErrorCode.FORBIDDEN, "to " + c.action() + " " + c.kind() + " " + c.name()
                            + (c.file() == null ? "" : " (" + c.file() + ":" + c.line() + ")") + " this token needs the permission " + permission);
                }
            }
        }
    }

    private void carryOut(Planned p, Options options, Actor actor) {
        for (Plan.Change c : p.plan().changes()) {
            ObjectKind kind = kinds.get(Kind.of(c.kind()).orElseThrow());
            try {
                switch (c.action()) {
                    case create, update -> {
                        kind.apply(c, p.manifest(c), p.context());
                        record(p.manifest(c), options, actor);
                    }
                    case unchanged -> record(p.manifest(c), options, actor);
                    case delete -> {
                        kind.delete(c, p.context());
                        ManagedObject.delete("kind = ?1 and name = ?2", c.kind(), c.name());
                    }
                    case conflict -> {
                        // left alone: the plan says why
                    }
                }
            } catch (DomainException e) {
                throw about(c, e);
            }
        }
    }

    /** The object's managed_object row: written only when the source, revision or spec differ, so a second apply writes nothing. */
    private void record(Manifest m, Options options, Actor actor) {
        String hash = Differences.hash(m.spec());
        ManagedObject o = ManagedObject.find(m.kind().wireName(), m.name()).orElseGet(ManagedObject::new);
        if (o.id != null && hash.equals(o.specHash) && options.source().equals(o.source)
                && java.util.Objects.equals(options.revision(), o.revision)) {
            return;
        }
        o.kind = m.kind().wireName();
        o.name = m.name();
        o.source = options.source();
        o.revision = options.revision();
        o.spec = Differences.canonical(m.spec());
        o.specHash = hash;
        o.appliedAt = clock.instant();
        o.appliedBy = actor.name();
        if (o.id == null) o.persist();
    }

    /** A failure of one change, naming the object and where it was declared, with the service's code. */
    private static DomainException about(Plan.Change c, DomainException e) {
        String where = c.file() == null ? "" : " (" + c.file() + ":" + c.line() + ")";
        return DomainException.of(e.code(), c.kind() + " " + c.name() + where + ": " + e.detail());
    }

    static DomainException invalid(List<ManifestError> found) {
        List<ManifestError> errors = found.stream().sorted(Comparator.comparing(ManifestError::file)
                .thenComparingInt(ManifestError::line).thenComparingInt(ManifestError::column)).toList();
        List<InputError> list = errors.stream()
                .map(e -> new InputError(e.file(), e.line(), e.column(), e.path(), e.message())).toList();
        String first = errors.get(0).toString();
        return DomainException.withErrors(ErrorCode.INVALID_MANIFEST, errors.size() == 1 ? first
                : first + " (and " + (errors.size() - 1) + " more)", list);
    }
}
