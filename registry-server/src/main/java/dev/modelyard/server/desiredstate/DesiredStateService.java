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
            Plan.Change c = kinds.get(m.kind()).plan(m, managed, context);
            changes.add(managed.map(o -> owned(c.managed(o), o, options.source())).orElse(c));
            byKey.put(m.kind().wireName() + "/" + m.name(), m);
        }
        // deletions after everything else, rollouts first (they may use a group that goes too)
        pruned.stream().sorted(Comparator.comparing((ManagedObject o) -> Kind.of(o.kind).orElseThrow()).reversed()
                        .thenComparing(o -> o.name))
                .forEach(o -> changes.add(kinds.get(Kind.of(o.kind).orElseThrow()).planDelete(o, context).managed(o)));
        return new Planned(new Plan(options.source(), options.revision(), options.prune(), List.copyOf(changes)), byKey, context);
    }

    /**
     * An object a git source manages belongs to that source: another source (the CLI, another git
     * source) may neither change it nor take it over silently, since the next sync would undo the
     * change, or two sources would fight over it. A change it would make is a conflict naming the
     * owner; an object it would leave as it is stays unchanged and stays the git source's. Objects
     * of other sources (the CLI's) may be taken over: that is how a repository adopts them.
     */
    private static Plan.Change owned(Plan.Change c, ManagedObject o, String source) {
        if (!belongsToAnother(o, source)) return c;
        String owner = "managed by git source '" + o.source.substring(Options.GIT.length()) + "'"
                + (o.revision == null ? "" : " (commit " + o.revision.substring(0, Math.min(12, o.revision.length())) + ")");
        if (c.action() == Plan.Action.unchanged) return c.as(Plan.Action.unchanged, owner);
        return c.as(Plan.Action.conflict, "conflict: " + owner + "; change it in that repository, or delete the git source "
                + "to release it");
    }

    private static boolean belongsToAnother(ManagedObject o, String source) {
        return !o.source.equals(source) && Options.isGit(o.source);
    }

    /** An object as a source manages it: what, from which revision, when. */
    public record ManagedView(String kind, String name, String source, String revision, java.time.Instant appliedAt,
                              String appliedBy) {
    }

    /** The objects a source manages, by kind and name. */
    public dev.modelyard.server.http.Page<ManagedView> managed(String tenant, String source, io.quarkus.panache.common.Page page) {
        return tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() -> {
            var query = ManagedObject.<ManagedObject>find("source = ?1 order by kind, name", (Object) source).page(page);
            List<ManagedView> items = query.list().stream()
                    .map(o -> new ManagedView(o.kind, o.name, o.source, o.revision, o.appliedAt, o.appliedBy)).toList();
            return new dev.modelyard.server.http.Page<>(items, page.index, page.size, query.count());
        }));
    }

    /** How many objects a source manages. */
    public long countManaged(String tenant, String source) {
        return tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() -> ManagedObject.count("source", source)));
    }

    /**
     * Lets go of a source's objects (its source is gone): they stay as they are, managed by no one,
     * so another source may take them over and no prune of any source deletes them.
     */
    public long release(String tenant, String source) {
        return tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() -> ManagedObject.delete("source", source)));
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
        if (o.id != null && belongsToAnother(o, options.source())) return;
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
