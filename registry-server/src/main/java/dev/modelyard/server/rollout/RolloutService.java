package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.ActionType;
import dev.modelyard.server.deployment.MaintenanceWindow;
import dev.modelyard.server.devicefilter.DeviceFilters;
import dev.modelyard.server.devicefilter.DeviceGroups;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.health.HealthReports;
import dev.modelyard.server.health.PhaseHealth;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rollout API's operations. Each changes a rollout in one short transaction that holds the
 * rollout's row (waiting for an engine step that holds it), records an event, and wakes the
 * engine after commit; the engine does the work (selecting, assigning, judging, rolling back).
 */
@ApplicationScoped
public class RolloutService {

    private final EntityManager em;
    private final Clock clock;
    private final ModelLookup models;
    private final DeviceFilters filters;
    private final DeviceGroups groups;
    private final HealthReports health;
    private final RolloutStore store;
    private final RolloutSteps steps;
    private final RolloutEngine engine;
    private final LiveEvents live;

    RolloutService(EntityManager em, Clock clock, ModelLookup models, DeviceFilters filters, DeviceGroups groups, HealthReports health,
                   RolloutStore store, RolloutSteps steps, RolloutEngine engine, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.clock = clock;
        this.models = models;
        this.filters = filters;
        this.groups = groups;
        this.health = health;
        this.store = store;
        this.steps = steps;
        this.engine = engine;
    }

    // ---- create, read, delete -------------------------------------------------------------------

    /**
     * Creates a rollout. {@code mayRollback}: whether the caller holds rollouts:rollback, which a
     * failure budget that rolls back needs (the engine then signs rollback authorizations and
     * downgrades devices on the caller's behalf).
     */
    @Transactional
    public RolloutApi.RolloutView create(RolloutApi.Create body, String by, boolean mayRollback) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"name\":…, \"model\":…, \"version\":…, \"filter\":…}");
        String name = RolloutRequests.name(body.name());
        if (body.model() == null || body.model().isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "model", "model: is required");
        if (body.version() == null || body.version().isBlank()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "version", "version: is required (a version, an alias or latest)");
        }
        if ((body.filter() == null) == (body.group() == null)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, body.filter() == null ? "filter" : "group",
                    "give exactly one of filter (a device filter) and group (a device group's name)");
        }
        // A blank filter would match every device: a rollout to the whole fleet is asked for as such, not by leaving it empty.
        if (body.filter() != null && body.filter().isBlank()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "filter", "filter: must not be blank; give a device filter "
                    + "(such as tag==stores) or a device group's name in group, exactly one");
        }
        if (body.group() != null && body.group().isBlank()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "group", "group: must not be blank; give a device group's name "
                    + "or a device filter in filter, exactly one");
        }
        ActionType type = RolloutRequests.type(body.type());
        List<RolloutSpec.Phase> phases = RolloutRequests.phases(body.phases());
        RolloutSpec.FailureBudget budget = RolloutRequests.failureBudget(body.failureBudget());
        if (budget != null && budget.onFailure() == RolloutSpec.OnFailure.ROLLBACK && !mayRollback) {
            throw DomainException.field(ErrorCode.FORBIDDEN, "failureBudget.onFailure", "failureBudget.onFailure: rollback needs the "
                    + "permission rollouts:rollback besides rollouts:create (the rollout would roll devices back on its own)");
        }
        RolloutSpec.Options options = new RolloutSpec.Options(budget, RolloutRequests.rate(body.rate()),
                RolloutRequests.schedule(body.schedule()), RolloutRequests.window(body.maintenanceWindow(), type));
        Integer maxDevices = RolloutRequests.maxDevices(body.maxDevices());
        String filter = body.filter() != null ? body.filter().strip() : groupFilter(body.group());
        filters.compileField(filter, body.filter() != null ? "filter" : "group");
        Model m = models.model(body.model());
        ModelVersion v = models.resolve(m, body.version());
        if (!v.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " of '" + m.name + "' is "
                    + v.status.wireName() + "; only published or deprecated versions can be rolled out");
        }
        if (Rollout.count("name", name) > 0) throw DomainException.field(ErrorCode.ALREADY_EXISTS, "name", "a rollout named '" + name + "' exists already");
        Instant now = clock.instant();
        Rollout r = new Rollout();
        r.name = name;
        r.description = body.description();
        r.model = m;
        r.version = v;
        r.requested = body.version();
        r.filter = filter;
        r.groupName = body.group();
        r.type = type;
        r.lowPrecision = Boolean.TRUE.equals(body.lowPrecision());
        r.spec = steps.write(options);
        r.approval = Boolean.TRUE.equals(body.approval());
        r.dynamic = Boolean.TRUE.equals(body.dynamic());
        r.maxDevices = maxDevices;
        r.state = RolloutState.DRAFT;
        r.createdAt = r.updatedAt = now;
        r.createdBy = by;
        try {
            r.persistAndFlush();
        } catch (jakarta.persistence.PersistenceException e) {
            throw DomainException.field(ErrorCode.ALREADY_EXISTS, "name", "a rollout named '" + name + "' exists already");
        }
        for (int i = 0; i < phases.size(); i++) {
            RolloutPhase p = new RolloutPhase();
            p.rolloutId = r.id;
            p.index = i;
            p.name = phases.get(i).name();
            p.spec = steps.write(phases.get(i));
            p.state = PhaseState.PENDING;
            p.persist();
        }
        store.event(r.id, now, "created", null, "created for " + m.name + " " + v.version + " (" + body.version() + ")", by);
        if (Boolean.TRUE.equals(body.start())) start(r, by, now);
        return view(r);
    }

    /** The device group's filter as written: copied, so later edits of the group do not change the rollout. */
    private String groupFilter(String group) {
        try {
            return groups.filter(group).query();
        } catch (DomainException e) {
            if (e.code() == ErrorCode.DEVICE_GROUP_NOT_FOUND) throw DomainException.field(e.code(), "group", e.detail());
            throw e;
        }
    }

    @Transactional
    public Page<RolloutApi.RolloutView> list(String state, io.quarkus.panache.common.Page page) {
        var query = state == null ? Rollout.<Rollout>find("order by id desc")
                : Rollout.<Rollout>find("state = ?1 order by id desc", RolloutState.parse(state, "state"));
        query.page(page);
        // The list leaves out each phase's health (one query over its actions and their reports each) and the transfer
        // totals (one aggregate per rollout): GET one has them.
        return new Page<>(query.list().stream().map(r -> view(r, false)).toList(), page.index, page.size, query.count());
    }

    /** The rollout of that name, if there is one (names are unique per tenant). */
    @Transactional
    public java.util.Optional<RolloutApi.RolloutView> byName(String name) {
        return Rollout.<Rollout>find("name", name).firstResultOptional().map(r -> view(r, false));
    }

    @Transactional
    public RolloutApi.RolloutView get(long id) {
        return view(rollout(id));
    }

    @Transactional
    public void delete(long id) {
        Rollout r = locked(id);
        if (r.state != RolloutState.DRAFT && !r.state.isFinished()) {
            throw DomainException.of(ErrorCode.ROLLOUT_STATE, "rollout " + id + " is " + r.state.wireName()
                    + "; only a draft or a finished rollout can be deleted (cancel it first)");
        }
        if (r.cleanupPending) throw DomainException.of(ErrorCode.ROLLOUT_STATE, "rollout " + id + " is still canceling its open actions");
        RolloutPhase.delete("rolloutId", r.id);
        em.flush();
        r.delete();
        live.rolloutDeleted(id);
    }

    // ---- life cycle ------------------------------------------------------------------------------

    @Transactional
    public RolloutApi.RolloutView start(long id, String by) {
        Rollout r = locked(id);
        if (r.state != RolloutState.DRAFT) throw state(r, "start", "only a draft can be started");
        start(r, by, clock.instant());
        return view(r);
    }

    private void start(Rollout r, String by, Instant now) {
        store.event(r.id, now, "start-requested", null, "start requested", by);
        if (r.approval && r.approvedBy == null) {
            move(r, RolloutState.WAITING_FOR_APPROVAL, "waits for someone other than '" + r.createdBy + "' to approve", now);
            return;
        }
        schedule(r, now);
    }

    /** Scheduled until startAt; the engine starts it then (or at once, on its next step). */
    private void schedule(Rollout r, Instant now) {
        RolloutSpec.Schedule s = steps.options(r).schedule();
        boolean later = s != null && s.startAt() != null && now.isBefore(s.startAt());
        move(r, RolloutState.SCHEDULED, later ? "starts at " + s.startAt() : "starting", now);
        wakeAfterCommit();
    }

    @Transactional
    public RolloutApi.RolloutView approve(long id, String by) {
        Rollout r = locked(id);
        Instant now = clock.instant();
        if (by.equals(r.createdBy)) {
            throw DomainException.of(ErrorCode.SELF_APPROVAL, "'" + by + "' created rollout " + id + "; someone else must approve it");
        }
        if (r.state == RolloutState.WAITING_FOR_APPROVAL) {
            r.approvedBy = by;
            r.approvedAt = now;
            store.event(r.id, now, "approved", null, "approved by '" + by + "'", by);
            schedule(r, now);
            return view(r);
        }
        RolloutPhase p = RolloutSteps.phase(r, r.currentPhase);
        if ((r.state == RolloutState.RUNNING || r.state == RolloutState.PAUSED) && p != null
                && (p.state == PhaseState.WAITING_FOR_APPROVAL || (p.state == PhaseState.PENDING && steps.phaseSpec(p).approval()))) {
            p.approvedBy = by;
            p.state = PhaseState.PENDING;
            store.event(r.id, now, "phase-approved", p.index, "phase '" + p.name + "' approved by '" + by + "'", by);
            wakeAfterCommit();
            return view(r);
        }
        throw state(r, "approve", "neither the rollout nor its current phase waits for an approval");
    }

    @Transactional
    public RolloutApi.RolloutView pause(long id, String by) {
        Rollout r = locked(id);
        if (r.state != RolloutState.RUNNING && r.state != RolloutState.SCHEDULED) throw state(r, "pause", "only a running or scheduled rollout can be paused");
        Instant now = clock.instant();
        r.state = RolloutState.PAUSED;
        r.stateReason = "paused by '" + by + "'";
        r.updatedAt = now;
        store.event(r.id, now, "paused", r.currentPhase, r.stateReason, by);
        steps.sample(r, now);
        return view(r);
    }

    /**
     * Resumes a paused rollout. The failure budget then counts only what executes from now on;
     * a phase that failed (its success rate or its health gate) counts as passed by this decision;
     * a health gate that had too little data gets its timeout again.
     */
    @Transactional
    public RolloutApi.RolloutView resume(long id, String by) {
        Rollout r = locked(id);
        if (r.state != RolloutState.PAUSED) throw state(r, "resume", "only a paused rollout can be resumed");
        Instant now = clock.instant();
        RolloutApi.Counts all = RolloutSteps.total(store.counts(r.id));
        r.budgetBaseExecuted = (int) all.executed();
        r.budgetBaseFailed = (int) all.failed();
        RolloutPhase p = RolloutSteps.phase(r, r.currentPhase);
        if (p != null && p.state == PhaseState.FAILED) {
            p.state = PhaseState.PASSED;
            store.event(r.id, now, "phase-passed", p.index, "phase '" + p.name + "' counts as passed: '" + by + "' resumed the rollout", by);
        } else if (p != null && p.bakedAt != null && p.state == PhaseState.BAKING) {
            p.bakedAt = now;
        }
        r.state = r.startedAt == null ? RolloutState.SCHEDULED : RolloutState.RUNNING;
        r.stateReason = null;
        r.updatedAt = now;
        store.event(r.id, now, "resumed", r.currentPhase, "resumed by '" + by + "'", by);
        steps.sample(r, now);
        wakeAfterCommit();
        return view(r);
    }

    /** Stops the rollout: no new assignments, and its open actions are canceled (in batches, by the engine). */
    @Transactional
    public RolloutApi.RolloutView cancel(long id, String by) {
        Rollout r = locked(id);
        if (r.state.isFinished()) throw state(r, "cancel", "it is finished");
        // A rollback's actions restore the version each device had: canceling them would leave devices on the bad version.
        if (r.state == RolloutState.ROLLING_BACK) throw state(r, "cancel", "it is rolling back; the rollback has to finish");
        Instant now = clock.instant();
        RolloutPhase p = RolloutSteps.phase(r, r.currentPhase);
        if (p != null && !p.state.isOver()) {
            p.state = PhaseState.CANCELLED;
            p.finishedAt = now;
        }
        r.state = RolloutState.CANCELLED;
        r.stateReason = "cancelled by '" + by + "'";
        r.finishedAt = now;
        r.updatedAt = now;
        r.cleanupPending = true;
        store.event(r.id, now, "cancelled", r.currentPhase, r.stateReason, by);
        steps.sample(r, now);
        wakeAfterCommit();
        return view(r);
    }

    /** Rolls back every device the rollout touched, to the version each ran before. */
    @Transactional
    public RolloutApi.RolloutView rollback(long id, String by) {
        Rollout r = locked(id);
        if (!Set.of(RolloutState.RUNNING, RolloutState.PAUSED, RolloutState.SUCCEEDED, RolloutState.FAILED, RolloutState.CANCELLED)
                .contains(r.state) || r.startedAt == null) {
            throw state(r, "roll back", "only a rollout that started and is not rolling back or rolled back can be rolled back");
        }
        Instant now = clock.instant();
        r.finishedAt = null;
        steps.startRollback(r, "rollback requested by '" + by + "'", by, now);
        steps.sample(r, now);
        wakeAfterCommit();
        return view(r);
    }

    // ---- details -------------------------------------------------------------------------------

    @Transactional
    public Page<RolloutApi.DeviceView> devices(long id, Integer phase, String state, io.quarkus.panache.common.Page page) {
        rollout(id);
        if (state != null && !DEVICE_STATES.contains(state)) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "state", "state: '" + state + "' is not a device state", DEVICE_STATES);
        }
        RolloutStore.DevicePage p = store.devices(id, phase, state, page.index, page.size);
        return new Page<>(p.items(), page.index, page.size, p.total());
    }

    static final List<String> DEVICE_STATES = List.of("pending", "running", "succeeded", "failed", "cancelled", "rolling-back",
            "rolled-back", "rollback-failed");

    /** A page of samples, oldest first, optionally only those after {@code since}. */
    @Transactional
    public List<RolloutApi.Sample> progress(long id, Instant since, io.quarkus.panache.common.Page page) {
        rollout(id);
        return store.samples(id, since, page.index, page.size);
    }

    /** A page of events, oldest first. */
    @Transactional
    public List<RolloutApi.Event> events(long id, io.quarkus.panache.common.Page page) {
        rollout(id);
        return store.events(id, page.index, page.size);
    }

    // ---- shared ----------------------------------------------------------------------------------

    private Rollout rollout(long id) {
        return Rollout.<Rollout>findByIdOptional(id)
                .orElseThrow(() -> DomainException.of(ErrorCode.ROLLOUT_NOT_FOUND, "no rollout with id " + id));
    }

    /** The rollout, its row locked for this transaction (waiting for an engine step that holds it). */
    private Rollout locked(long id) {
        Rollout r = rollout(id);
        store.lock(id);
        em.refresh(r);
        return r;
    }

    private void move(Rollout r, RolloutState to, String reason, Instant now) {
        r.state = to;
        r.stateReason = reason;
        r.updatedAt = now;
        store.event(r.id, now, to.wireName(), null, reason, null);
    }

    private static DomainException state(Rollout r, String what, String why) {
        return DomainException.of(ErrorCode.ROLLOUT_STATE, "cannot " + what + " rollout " + r.id + ": it is " + r.state.wireName() + "; " + why);
    }

    private void wakeAfterCommit() {
        jakarta.transaction.TransactionSynchronizationRegistry registry = io.quarkus.arc.Arc.container()
                .instance(jakarta.transaction.TransactionSynchronizationRegistry.class).get();
        registry.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                engine.wake();
            }
        });
    }

    RolloutApi.RolloutView view(Rollout r) {
        return view(r, true);
    }

    /** The rollout as the API shows it; {@code withHealth}: with each started phase's health summary and the transfer totals. */
    RolloutApi.RolloutView view(Rollout r, boolean withHealth) {
        Map<Integer, RolloutApi.Counts> counts = store.counts(r.id);
        RolloutApi.Counts all = RolloutSteps.total(counts);
        RolloutSpec.Options o = steps.options(r);
        List<RolloutApi.PhaseView> phases = new ArrayList<>();
        for (RolloutPhase p : RolloutSteps.phases(r)) {
            RolloutSpec.Phase s = steps.phaseSpec(p);
            RolloutApi.Counts c = counts.getOrDefault(p.index, RolloutApi.Counts.ZERO);
            Double success = c.executed() == 0 ? null : 100.0 * c.succeeded() / c.executed();
            PhaseHealth h = !withHealth ? null
                    : p.state == PhaseState.PENDING || p.state == PhaseState.WAITING_FOR_APPROVAL ? PhaseHealth.NONE
                    : health.summarize(store.actions(r.id, p.index));
            RolloutApi.GateVerdictView verdict = p.gateOutcome == null ? null
                    : new RolloutApi.GateVerdictView(p.gateOutcome.toLowerCase(java.util.Locale.ROOT), p.gateReason, p.gateAt);
            phases.add(new RolloutApi.PhaseView(p.index, p.name, s.size(), s.bake().toString(), s.minSuccessPct(), s.minSamples(),
                    s.approval(), RolloutApi.GateView.of(s.gate()), p.state.wireName(), p.devices, c, success, h, verdict, p.approvedBy, p.startedAt,
                    p.finishedAt));
        }
        RolloutApi.FailureBudgetView budget = null;
        if (o.failureBudget() != null) {
            RolloutSpec.FailureBudget b = o.failureBudget();
            long executed = all.executed() - r.budgetBaseExecuted;
            long failed = all.failed() - r.budgetBaseFailed;
            double failurePct = executed == 0 ? 0 : 100.0 * failed / executed;
            double burn = b.maxFailurePct() == 0 ? (failed > 0 ? 100 : 0) : 100.0 * failurePct / b.maxFailurePct();
            budget = new RolloutApi.FailureBudgetView(b.maxFailurePct(), b.minExecuted(), b.onFailure().wireName(), executed, failed,
                    Math.round(burn * 10) / 10.0);
        }
        RolloutApi.RateView rate = o.rate() == null ? null : new RolloutApi.RateView(o.rate().maxPerMinute(), o.rate().growthFactor(),
                o.rate().growEvery().toString(), o.rate().perMinuteAt(r.startedAt, clock.instant()));
        RolloutApi.ScheduleView schedule = o.schedule() == null ? null
                : new RolloutApi.ScheduleView(o.schedule().startAt(), o.schedule().endAt());
        MaintenanceWindow w = o.maintenanceWindow();
        RolloutApi.WindowView window = w == null ? null : new RolloutApi.WindowView(w.schedule(), w.duration().toString(), w.zone());
        return new RolloutApi.RolloutView(r.id, r.name, r.description, r.model.name, r.version.version, r.requested, r.filter,
                r.groupName, r.type.wireName(), r.lowPrecision, r.state.wireName(), r.stateReason, r.approval, r.approvedBy,
                r.dynamic, r.maxDevices, r.totalDevices, r.currentPhase, phases, budget, rate, schedule, window, all,
                withHealth ? store.transfers(r.id) : null, r.createdAt, r.createdBy, r.startedAt, r.finishedAt);
    }
}
