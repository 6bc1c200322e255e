package dev.modelyard.server.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.audit.BackgroundAudit;
import dev.modelyard.server.auth.RoleService;
import dev.modelyard.server.desiredstate.Actor;
import dev.modelyard.server.desiredstate.DesiredStateService;
import dev.modelyard.server.desiredstate.Options;
import dev.modelyard.server.desiredstate.Plan;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.lease.Leases;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Keeps each git source's objects converged to its branch. A pass of a source, on one replica at a
 * time (the lease {@code gitsync:<tenant>/<name>}):
 * <ol>
 *   <li>fetches the branch and reads the manifests of the source's folder at its head commit;</li>
 *   <li>a new commit is applied ({@link DesiredStateService#apply}: all or nothing) as the source's
 *       role, with the source {@code git:<name>} and the commit as revision. A commit that cannot be
 *       applied changes nothing: the status is {@code failed} with its errors, and the last good
 *       commit stays what was synced;</li>
 *   <li>the commit already synced is planned again: a change the plan shows is drift (someone changed
 *       a git-managed object through the API or console), reverted or flagged by the source's policy.</li>
 * </ol>
 * Every pass that changes something, and every commit that fails, is one audit entry of the tenant
 * with the actor {@code git-sync:<name>} and the commit SHA as its request id.
 * <p>
 * When a pass is due is the database's business ({@code next_sync_at}, {@code requested_at}), so
 * any replica may run it and none runs it twice: each replica looks for due sources every
 * {@code tick}, and a sync asked for through the API or the webhook starts at once on the replica
 * that was asked. Passes run on this class's own threads, never on a request's (the audit entry
 * must hold the pass's changes, not the request's).
 */
@ApplicationScoped
public class GitSync {

    private static final Logger LOG = Logger.getLogger(GitSync.class);
    static final String LEASE_PREFIX = "gitsync:";
    /** Passes of one source run back to back at most this often when requests keep arriving during them. */
    private static final int MAX_PASSES_IN_A_ROW = 5;

    private final GitRepositories repositories;
    private final SecretRefs secrets;
    private final DesiredStateService desired;
    private final RoleService roles;
    private final BackgroundAudit audit;
    private final Leases leases;
    private final TenantContext tenants;
    private final GitSyncConfig config;
    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;
    private final ExecutorService workers;
    /** Sources queued or in a pass on this replica: a second request for one of them is covered by the pass it waits for. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    GitSync(GitRepositories repositories, SecretRefs secrets, DesiredStateService desired, RoleService roles, BackgroundAudit audit,
            Leases leases, TenantContext tenants, GitSyncConfig config, EntityManager em, ObjectMapper json, Clock clock) {
        this.repositories = repositories;
        this.secrets = secrets;
        this.desired = desired;
        this.roles = roles;
        this.audit = audit;
        this.leases = leases;
        this.tenants = tenants;
        this.config = config;
        this.em = em;
        this.json = json;
        this.clock = clock;
        AtomicInteger ids = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Math.max(1, config.workers()), r -> {
            Thread t = new Thread(r, "git-sync-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdownNow();
    }

    /** Starts a pass of the source on this replica now (it was marked requested in the database, so another replica may take it too). */
    void request(String tenant, String name) {
        if (!config.enabled()) return;
        String key = tenant + "/" + name;
        if (!queued.add(key)) return;
        try {
            workers.execute(() -> {
                boolean drained = false;
                try {
                    drained = drain(tenant, name);
                } finally {
                    queued.remove(key);
                }
                // A request that came between the last check and the removal above found the source queued: take it now.
                if (drained && isRequested(tenant, name)) request(tenant, name);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            queued.remove(key);
        }
    }

    @Scheduled(every = "${modelyard.gitsync.tick:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.enabled()) return;
        try {
            // Across tenants on purpose: each replica looks for every tenant's due sources; each pass then runs as its tenant.
            List<Object[]> due = tenants.acrossTenants(() -> QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                    "SELECT g.tenant, g.name FROM git_source g JOIN tenant t ON t.id = g.tenant"
                            + " WHERE t.enabled AND (g.next_sync_at <= now() OR g.requested_at IS NOT NULL) ORDER BY g.next_sync_at")
                    .getResultList()));
            for (Object[] row : due) request((String) row[0], (String) row[1]);
        } catch (RuntimeException e) {
            LOG.warn("git sync could not look for due sources; it looks again at the next tick", e);
        }
    }

    /**
     * Runs passes of the source while a sync is asked for (a request that arrived during a pass asks for
     * one more). False when it could not finish (the database failed): the next tick tries again.
     */
    private boolean drain(String tenant, String name) {
        for (int i = 0; i < MAX_PASSES_IN_A_ROW; i++) {
            try {
                // Duration.ZERO: whether the pass is due is decided inside it from the source's own row, which a
                // request moves; the lease only makes sure one replica at a time runs it. A replica that does not
                // get the lease leaves the source to the one in a pass, which sees the request when it ends.
                boolean ran = leases.runIfHolder(LEASE_PREFIX + tenant + "/" + name, Duration.ZERO, () -> passIfDue(tenant, name));
                if (!ran || !isRequested(tenant, name)) return ran;
            } catch (Exception e) {
                LOG.warnf(e, "git sync of %s/%s failed; it runs again at its next interval", tenant, name);
                return false;
            }
        }
        return true;
    }

    private boolean isRequested(String tenant, String name) {
        return tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() ->
                GitSource.named(name).map(s -> s.requestedAt != null).orElse(false)));
    }

    /** What a pass starts from: the source's definition as it is now. */
    private record Started(long id, String name, String url, String branch, String path, String username, String passwordRef,
                           String driftPolicy, boolean prune, String role, String lastSyncedCommit, long intervalSeconds) {
    }

    /** Takes the source's due request (a request that arrives during the pass makes it due again) and runs the pass. */
    void passIfDue(String tenant, String name) {
        Started s = tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() -> {
            GitSource found = GitSource.named(name).orElse(null);
            if (found == null || (found.requestedAt == null && found.nextSyncAt.isAfter(clock.instant()))) return null;
            found.requestedAt = null;
            return new Started(found.id, found.name, found.url, found.branch, found.path, found.username, found.passwordRef,
                    found.driftPolicy, found.prune, found.role, found.lastSyncedCommit, found.intervalSeconds);
        }));
        if (s == null) return;
        Outcome outcome = pass(tenant, s);
        finish(tenant, s, outcome);
    }

    // ---- one pass -----------------------------------------------------------------------------------

    /** How a pass ended, as the source's status records it. */
    private record Outcome(String commit, String result, String message, List<GitSourceApi.SyncError> errors,
                           List<GitSourceApi.Drift> drift, List<GitSourceApi.Conflict> conflicts) {

        boolean failed() {
            return result.equals("failed");
        }

        /** Whether the commit is now the one synced (a failed pass leaves the last good one). */
        boolean synced() {
            return !failed();
        }

        static Outcome failed(String commit, String message, List<GitSourceApi.SyncError> errors) {
            return new Outcome(commit, "failed", message, errors, null, null);
        }
    }

    private Outcome pass(String tenant, Started s) {
        String commit = null;
        try {
            Actor actor = actor(tenant, s);
            GitRepositories.Snapshot snapshot = repositories.fetch(tenant, s.id(), remote(s));
            commit = snapshot.commit();
            Options options = new Options(s.prune(), GitSources.sourceOf(s.name()), commit);
            if (commit.equals(s.lastSyncedCommit())) return converge(tenant, s, snapshot, options, actor);
            return apply(tenant, s, snapshot, options, actor);
        } catch (SyncFailure f) {
            return Outcome.failed(commit, f.getMessage(), f.errors());
        } catch (DomainException e) {
            return Outcome.failed(commit, e.detail(), errors(e));
        } catch (RuntimeException e) {
            LOG.errorf(e, "git sync of %s/%s failed unexpectedly", tenant, s.name());
            return Outcome.failed(commit, "the pass failed on the server (" + e.getClass().getSimpleName() + "); see the server's log",
                    List.of(new GitSourceApi.SyncError(null, null, null, null, "internal error: " + e.getClass().getSimpleName())));
        }
    }

    /** The role's permissions as they are now: a role narrowed later narrows the sync too. */
    private Actor actor(String tenant, Started s) {
        Set<String> permissions = tenants.callAs(tenant, () -> roles.permissions(tenant, s.role()))
                .orElseThrow(() -> new SyncFailure("role '" + s.role() + "' no longer exists; give the source another role"));
        return new Actor("git-sync:" + s.name(), permissions::contains);
    }

    private GitRepositories.Remote remote(Started s) {
        String password = s.passwordRef() == null ? null : secrets.resolve("credentials.passwordRef", s.passwordRef());
        return new GitRepositories.Remote(s.url(), s.branch(), s.path(), s.username(), password);
    }

    /** A new commit: applied all or nothing; its audit entry (changes or refusal) carries the SHA. */
    private Outcome apply(String tenant, Started s, GitRepositories.Snapshot snapshot, Options options, Actor actor) {
        try {
            DesiredStateService.Applied applied = audit.run(work(tenant, s, snapshot.commit(), "git-sync apply", null),
                    () -> desired.apply(tenant, snapshot.documents(), options, actor));
            Plan plan = applied.plan();
            String message = summary(plan) + " from " + snapshot.documents().size() + " files";
            return new Outcome(snapshot.commit(), "applied", message, List.of(), List.of(), conflicts(plan));
        } catch (DomainException e) {
            return Outcome.failed(snapshot.commit(), e.detail(), errors(e));
        }
    }

    /** The commit synced already: whatever a plan of it would change was changed outside git. */
    private Outcome converge(String tenant, Started s, GitRepositories.Snapshot snapshot, Options options, Actor actor) {
        Plan plan = desired.plan(tenant, snapshot.documents(), options, actor);
        List<GitSourceApi.Drift> drift = drift(plan);
        if (drift.isEmpty()) return new Outcome(snapshot.commit(), "unchanged", "in sync", List.of(), List.of(), conflicts(plan));
        String objects = String.join(", ", drift.stream().map(d -> d.kind() + " " + d.name()).toList());
        if (!s.driftPolicy().equals("revert")) {
            return new Outcome(snapshot.commit(), "drift-flagged", drift.size() + " objects differ from the repository (policy flag): "
                    + objects, List.of(), drift, conflicts(plan));
        }
        try {
            audit.run(work(tenant, s, snapshot.commit(), "git-sync revert-drift", drift),
                    () -> desired.apply(tenant, snapshot.documents(), options, actor));
        } catch (DomainException e) {
            return new Outcome(snapshot.commit(), "failed", "reverting drift failed: " + e.detail(), errors(e), drift, conflicts(plan));
        }
        return new Outcome(snapshot.commit(), "drift-reverted", "reverted " + drift.size() + " objects changed outside the repository: "
                + objects, List.of(), List.of(), conflicts(plan));
    }

    private BackgroundAudit.Work work(String tenant, Started s, String commit, String action, List<GitSourceApi.Drift> drift) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("source", GitSources.sourceOf(s.name()));
        about.put("url", s.url());
        about.put("branch", s.branch());
        about.put("path", s.path());
        about.put("commit", commit);
        if (drift != null) about.put("drift", json.convertValue(drift, List.class));
        return new BackgroundAudit.Work(tenant, "git-sync:" + s.name(), action, "git-sources", s.name(), commit, about);
    }

    private static List<GitSourceApi.Drift> drift(Plan plan) {
        return plan.changes().stream()
                .filter(c -> c.action() == Plan.Action.create || c.action() == Plan.Action.update || c.action() == Plan.Action.delete)
                .map(c -> new GitSourceApi.Drift(c.kind(), c.name(), c.action().name(), c.differences() == null ? List.of()
                        : c.differences().stream().map(d -> new GitSourceApi.Difference(d.path(), d.from(), d.to())).toList()))
                .toList();
    }

    private static List<GitSourceApi.Conflict> conflicts(Plan plan) {
        return plan.changes().stream().filter(c -> c.action() == Plan.Action.conflict)
                .map(c -> new GitSourceApi.Conflict(c.kind(), c.name(), c.note())).toList();
    }

    private static String summary(Plan plan) {
        return plan.count(Plan.Action.create) + " created, " + plan.count(Plan.Action.update) + " updated, "
                + plan.count(Plan.Action.delete) + " deleted, " + plan.count(Plan.Action.unchanged) + " unchanged"
                + (plan.count(Plan.Action.conflict) == 0 ? "" : ", " + plan.count(Plan.Action.conflict) + " conflicts left alone");
    }

    /** A refusal's problems at file:line:col (the files named by their path in the repository), or its one sentence. */
    private static List<GitSourceApi.SyncError> errors(DomainException e) {
        if (e.errors() == null || e.errors().isEmpty()) return List.of(new GitSourceApi.SyncError(null, null, null, e.field(), e.detail()));
        return e.errors().stream().map(i -> new GitSourceApi.SyncError(i.file(), i.line() > 0 ? i.line() : null,
                i.column() > 0 ? i.column() : null, i.path(), i.message())).toList();
    }

    /** Records the pass in the source's row; only the status columns are written (a definition changed meanwhile stays). */
    private void finish(String tenant, Started s, Outcome o) {
        Instant now = clock.instant();
        tenants.runAs(tenant, () -> QuarkusTransaction.requiringNew().run(() -> GitSource.named(s.name())
                .filter(found -> found.id.equals(s.id()))
                .ifPresent(found -> {
                    found.lastAttempt = write(new GitSourceApi.Attempt(o.commit(), now, o.result(), o.message(), o.errors()));
                    if (o.synced()) {
                        found.status = "synced";
                        if (!o.commit().equals(found.lastSyncedCommit)) {
                            found.lastSyncedCommit = o.commit();
                            found.lastSyncedAt = now;
                        }
                    } else {
                        found.status = "failed";
                    }
                    if (o.drift() != null) found.drift = write(o.drift());
                    if (o.conflicts() != null) found.conflicts = write(o.conflicts());
                    found.nextSyncAt = now.plusSeconds(found.intervalSeconds);
                })));
        if (o.failed()) LOG.infof("git sync of %s/%s: commit %s failed: %s", tenant, s.name(), o.commit(), o.message());
        else if (!o.result().equals("unchanged")) LOG.infof("git sync of %s/%s: %s at %s: %s", tenant, s.name(), o.result(), o.commit(), o.message());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
