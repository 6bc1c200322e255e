package dev.modelyard.server.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.deployment.ActionOptions;
import dev.modelyard.server.deployment.ActionType;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.devicefilter.DeviceFilters;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.health.GateVerdict;
import dev.modelyard.server.health.HealthGates;
import dev.modelyard.server.health.HealthReports;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.signing.RollbackAuthorizations;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * One step of a rollout, in one short transaction that holds the rollout's row: whichever replica
 * claims it ({@code FOR UPDATE SKIP LOCKED}) runs the step, the others skip the rollout. A step
 * does one bounded piece of work (start a phase, assign one batch, judge a phase, roll back one
 * batch) and says whether more can be done at once. Everything it decides is in the database, so
 * the next step, on any replica, after a restart too, carries on.
 */
@ApplicationScoped
class RolloutSteps {

    private static final Logger LOG = Logger.getLogger(RolloutSteps.class);
    static final String ENGINE = "rollout-engine";

    enum Result {
        /** Another step holds the rollout. */
        NOT_CLAIMED,
        /** Nothing to do until time passes or devices report. */
        IDLE,
        /** More work can be done at once. */
        MORE
    }

    private final EntityManager em;
    private final Clock clock;
    private final RolloutStore store;
    private final DeploymentService deployments;
    private final DeviceFilters filters;
    private final HealthReports health;
    private final RollbackAuthorizations rollbacks;
    private final ObjectMapper json;
    private final ModelyardConfig.Rollout config;
    private final RolloutMetrics metrics;
    private final LiveEvents live;

    RolloutSteps(EntityManager em, Clock clock, RolloutStore store, DeploymentService deployments, DeviceFilters filters,
                 HealthReports health, RollbackAuthorizations rollbacks, ObjectMapper json, ModelyardConfig config,
                 RolloutMetrics metrics, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.clock = clock;
        this.store = store;
        this.deployments = deployments;
        this.filters = filters;
        this.health = health;
        this.rollbacks = rollbacks;
        this.json = json;
        this.config = config.rollout();
        this.metrics = metrics;
    }

    /** Runs one step of the rollout, if no other step holds it. Call in the rollout's tenant. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Result step(long rolloutId) {
        if (!store.claim(rolloutId)) return Result.NOT_CLAIMED;
        Rollout r = em.find(Rollout.class, rolloutId);
        if (r == null) return Result.IDLE;
        Instant now = clock.instant();
        String before = signature(r);
        boolean more = switch (r.state) {
            case SCHEDULED -> scheduled(r, now);
            case RUNNING -> running(r, now);
            case ROLLING_BACK -> rollingBack(r, now);
            default -> false;
        };
        if (r.cleanupPending) more |= cleanUp(r, now);
        boolean changed = !before.equals(signature(r));
        if (changed || r.lastSampleAt == null || !now.isBefore(r.lastSampleAt.plus(config.sampleInterval()))) {
            sample(r, now);
        }
        if (changed) r.updatedAt = now;
        return more ? Result.MORE : Result.IDLE;
    }

    /** Writes a progress sample now (also called by the API on state changes it makes). */
    void sample(Rollout r, Instant now) {
        store.sample(r.id, now, store.counts(r.id));
        r.lastSampleAt = now;
        live.rollout(r.id, r.state.wireName());
    }

    private String signature(Rollout r) {
        RolloutPhase p = phase(r, r.currentPhase);
        return r.state + "/" + r.currentPhase + "/" + (p == null ? "" : p.state);
    }

    // ---- states ------------------------------------------------------------------------------

    private boolean scheduled(Rollout r, Instant now) {
        RolloutSpec.Schedule s = options(r).schedule();
        if (s != null && s.startAt() != null && now.isBefore(s.startAt())) return false;
        begin(r, now);
        return true;
    }

    /** Counts the devices matching now (phase percentages are of this number) and starts the first phase. */
    void begin(Rollout r, Instant now) {
        long matching = filters.count(filters.compile(r.filter));
        int total = (int) Math.min(matching, r.maxDevices == null ? Integer.MAX_VALUE : r.maxDevices);
        r.totalDevices = total;
        r.state = RolloutState.RUNNING;
        r.stateReason = null;
        r.startedAt = now;
        r.updatedAt = now;
        store.event(r.id, now, "started", null, total + " devices match the filter", ENGINE);
    }

    private boolean running(Rollout r, Instant now) {
        RolloutSpec.Options o = options(r);
        Map<Integer, RolloutApi.Counts> counts = store.counts(r.id);
        RolloutApi.Counts all = total(counts);
        if (endPassed(o, now)) {
            RolloutPhase current = phase(r, r.currentPhase);
            // A dynamic rollout's last phase ends at the end time: it is judged once no device of the rollout is pending or running.
            if (r.dynamic && current != null && isLast(r, current) && current.state == PhaseState.BAKING) {
                if (all.pending() == 0 && all.running() == 0) {
                    return judge(r, current, phaseSpec(current), counts.getOrDefault(current.index, RolloutApi.Counts.ZERO), o, now);
                }
            }
            endTimePassed(r, now);
            return false;
        }
        String tripped = budgetTripped(r, o.failureBudget(), all);
        if (tripped != null) {
            return onFailure(r, o, "failure budget: " + tripped, now);
        }
        if (!r.version.status.isDeployable()) {
            pause(r, "version " + r.version.version + " is " + r.version.status.wireName() + " and cannot be assigned", now);
            return false;
        }
        RolloutPhase p = phase(r, r.currentPhase);
        RolloutSpec.Phase spec = phaseSpec(p);
        return switch (p.state) {
            case PENDING -> startPhase(r, p, spec, now);
            case WAITING_FOR_APPROVAL -> false;
            case RUNNING, BAKING -> {
                RolloutApi.Counts c = counts.getOrDefault(p.index, RolloutApi.Counts.ZERO);
                if (c.pending() > 0) {
                    p.state = PhaseState.RUNNING;
                    yield assignBatch(r, p, o, now);
                }
                if (p.state == PhaseState.RUNNING && selectBatch(r, p, spec) > 0) yield true;
                if (p.state == PhaseState.RUNNING) {
                    p.state = PhaseState.BAKING;
                    store.event(r.id, now, "phase-baking", p.index, "phase '" + p.name + "': every device assigned; baking for "
                            + spec.bake(), ENGINE);
                }
                yield judge(r, p, spec, c, o, now);
            }
            case PASSED -> advance(r, p, now);
            case FAILED, CANCELLED -> false;
        };
    }

    private boolean startPhase(Rollout r, RolloutPhase p, RolloutSpec.Phase spec, Instant now) {
        if (spec.approval() && p.approvedBy == null) {
            p.state = PhaseState.WAITING_FOR_APPROVAL;
            store.event(r.id, now, "phase-waiting-for-approval", p.index, "phase '" + p.name + "' waits for an approval", ENGINE);
            return false;
        }
        p.state = PhaseState.RUNNING;
        p.startedAt = now;
        int selected = selectBatch(r, p, spec);
        store.event(r.id, now, "phase-started", p.index, "phase '" + p.name + "' started with " + selected
                + " devices selected (more are selected batch by batch as these are assigned)", ENGINE);
        return true;
    }

    /**
     * Selects the phase's next batch of devices (at most the batch size, so that no statement
     * inserts a whole fleet in one transaction); 0 when the phase has every device it takes: its
     * size (the last phase: every device that remains), and the rollout's maxDevices.
     */
    private int selectBatch(Rollout r, RolloutPhase p, RolloutSpec.Phase spec) {
        long limit = config.batchSize();
        if (!isLast(r, p)) limit = Math.min(limit, spec.devicesOf(r.totalDevices == null ? 0 : r.totalDevices) - (long) p.devices);
        if (r.maxDevices != null) limit = Math.min(limit, r.maxDevices - store.members(r.id));
        if (limit <= 0) return 0;
        int selected = store.select(r.id, p.index, r.model.id, r.version.id, filters.compile(r.filter), (int) limit, clock.instant());
        p.devices += selected;
        return selected;
    }

    private static boolean isLast(Rollout r, RolloutPhase p) {
        return p.index == phases(r).size() - 1;
    }

    private boolean assignBatch(Rollout r, RolloutPhase p, RolloutSpec.Options o, Instant now) {
        int n = paced(r, o.rate(), config.batchSize(), now);
        if (n <= 0) return false;
        List<Long> ids = store.pending(r.id, p.index, n);
        if (ids.isEmpty()) return true;
        List<DeploymentService.DeviceOutcome> out = deployments.assignToDevices(new DeploymentService.FleetAssignment(
                r.model.name, r.version.version, r.type, r.lowPrecision, r.createdBy,
                new ActionOptions(r.id, o.maintenanceWindow(), null)), ids);
        store.assigned(r.id, ids, out, now);
        r.rateWindowCount += out.size();
        p.lastAssignedAt = now;
        metrics.assigned(created(out));
        return true;
    }

    /** The rate limit's room for this step: at most {@code n}, 0 when the minute's allowance is used up. */
    private int paced(Rollout r, RolloutSpec.Rate rate, int n, Instant now) {
        if (rate == null) return n;
        if (r.rateWindowStart == null || !now.isBefore(r.rateWindowStart.plus(Duration.ofMinutes(1)))) {
            r.rateWindowStart = now;
            r.rateWindowCount = 0;
        }
        return Math.max(0, Math.min(n, rate.perMinuteAt(r.startedAt, now) - r.rateWindowCount));
    }

    /** Assignments that made a new action (a reused open action or a refused device is not one). */
    private static int created(List<DeploymentService.DeviceOutcome> out) {
        return (int) out.stream().filter(d -> d.created() && !d.failed()).count();
    }

    /**
     * Whether the phase can be judged, and then whether it passed: its success rate and its health
     * gate. The bake time is a minimum soak after the phase's last assignment. A phase that is not
     * the last can then be judged on {@code minSamples} executed devices, to start the next phase
     * while some of its devices still run (the failure budget keeps counting them). The last phase
     * is judged only when no device of the rollout is pending or running, so the rollout succeeds
     * only when every device closed its action; a dynamic rollout's last phase also waits until the
     * rollout is full (maxDevices) or its end time, since devices may still join it.
     */
    private boolean judge(Rollout r, RolloutPhase p, RolloutSpec.Phase spec, RolloutApi.Counts c, RolloutSpec.Options o,
                          Instant now) {
        boolean allExecuted = c.pending() == 0 && c.running() == 0;
        boolean baked = p.lastAssignedAt == null || !now.isBefore(p.lastAssignedAt.plus(spec.bake()));
        if (!baked) return false;
        if (isLast(r, p)) {
            RolloutApi.Counts all = total(store.counts(r.id));
            boolean nothingRuns = all.pending() == 0 && all.running() == 0;
            if (!nothingRuns || (r.dynamic && !full(r) && !endPassed(o, now))) return false;
        } else if (!allExecuted && c.executed() < spec.minSamples()) {
            return false;
        }
        if (c.executed() > 0) {
            double pct = 100.0 * c.succeeded() / c.executed();
            if (pct < spec.minSuccessPct()) {
                return phaseFailed(r, p, o, String.format(java.util.Locale.ROOT, "%.1f%% of %d executed devices succeeded; the phase needs %s%%",
                        pct, c.executed(), trim(spec.minSuccessPct())), now);
            }
        }
        if (p.bakedAt == null) p.bakedAt = now;
        if (spec.gate() == null) return passPhase(r, p, now);
        GateVerdict v = HealthGates.evaluate(spec.gate(), health.summarize(store.actions(r.id, p.index)));
        if (!v.outcome().name().equals(p.gateOutcome) || !v.reason().equals(p.gateReason)) {
            store.event(r.id, now, "gate-" + v.outcome().name().toLowerCase(java.util.Locale.ROOT), p.index,
                    "phase '" + p.name + "' health gate: " + v.reason(), ENGINE);
        }
        p.gateOutcome = v.outcome().name();
        p.gateReason = v.reason();
        p.gateAt = now;
        return switch (v.outcome()) {
            case PASS -> passPhase(r, p, now);
            case FAIL -> phaseFailed(r, p, o, "health gate: " + v.reason(), now);
            case INCONCLUSIVE -> {
                Duration timeout = spec.gate().timeout() == null ? Duration.ofMinutes(30) : spec.gate().timeout();
                if (!now.isBefore(p.bakedAt.plus(timeout))) {
                    pause(r, "phase '" + p.name + "': the health gate had too little data after " + timeout + ": " + v.reason(), now);
                }
                yield false;
            }
        };
    }

    private boolean passPhase(Rollout r, RolloutPhase p, Instant now) {
        p.state = PhaseState.PASSED;
        p.finishedAt = now;
        store.event(r.id, now, "phase-passed", p.index, "phase '" + p.name + "' passed", ENGINE);
        return advance(r, p, now);
    }

    private boolean advance(Rollout r, RolloutPhase p, Instant now) {
        if (p.index >= phases(r).size() - 1) {
            finish(r, RolloutState.SUCCEEDED, "every phase passed", now);
            return false;
        }
        r.currentPhase = p.index + 1;
        return true;
    }

    private boolean phaseFailed(Rollout r, RolloutPhase p, RolloutSpec.Options o, String reason, Instant now) {
        p.state = PhaseState.FAILED;
        p.finishedAt = now;
        store.event(r.id, now, "phase-failed", p.index, "phase '" + p.name + "' failed: " + reason, ENGINE);
        return onFailure(r, o, "phase '" + p.name + "' failed: " + reason, now);
    }

    /** The failure budget's reaction (pause unless it says rollback). */
    private boolean onFailure(Rollout r, RolloutSpec.Options o, String reason, Instant now) {
        if (o.failureBudget() != null && o.failureBudget().onFailure() == RolloutSpec.OnFailure.ROLLBACK) {
            startRollback(r, reason, ENGINE, now);
            return true;
        }
        pause(r, reason, now);
        return false;
    }

    private boolean full(Rollout r) {
        return r.maxDevices != null && store.members(r.id) >= r.maxDevices;
    }

    private static boolean endPassed(RolloutSpec.Options o, Instant now) {
        return o.schedule() != null && o.schedule().endAt() != null && !now.isBefore(o.schedule().endAt());
    }

    /** Null when the budget holds; otherwise why it is spent. Counts only what executed since the last resume. */
    static String budgetTripped(Rollout r, RolloutSpec.FailureBudget b, RolloutApi.Counts all) {
        if (b == null) return null;
        long executed = all.executed() - r.budgetBaseExecuted;
        long failed = all.failed() - r.budgetBaseFailed;
        if (executed < Math.max(1, b.minExecuted())) return null;
        double pct = 100.0 * failed / executed;
        if (pct <= b.maxFailurePct()) return null;
        return String.format(java.util.Locale.ROOT, "%d of %d executed devices failed (%.1f%%), more than the %s%% allowed",
                failed, executed, pct, trim(b.maxFailurePct()));
    }

    private void endTimePassed(Rollout r, Instant now) {
        int cancelled = store.cancelPending(r.id, "the rollout's end time passed before the device was assigned", now);
        RolloutPhase p = phase(r, r.currentPhase);
        if (p != null && !p.state.isOver()) {
            p.state = PhaseState.CANCELLED;
            p.finishedAt = now;
        }
        finish(r, RolloutState.FAILED, "the end time passed before the last phase passed (" + cancelled
                + " devices were not assigned; assigned devices keep their actions)", now);
    }

    void pause(Rollout r, String reason, Instant now) {
        r.state = RolloutState.PAUSED;
        r.stateReason = reason;
        r.updatedAt = now;
        store.event(r.id, now, "paused", r.currentPhase, reason, ENGINE);
    }

    void finish(Rollout r, RolloutState to, String reason, Instant now) {
        r.state = to;
        r.stateReason = reason;
        r.finishedAt = now;
        r.updatedAt = now;
        store.event(r.id, now, to.wireName(), null, reason, ENGINE);
    }

    // ---- rollback -----------------------------------------------------------------------------

    /** Starts rolling back every device the rollout touched; devices never assigned are cancelled. */
    void startRollback(Rollout r, String reason, String by, Instant now) {
        r.state = RolloutState.ROLLING_BACK;
        r.stateReason = reason;
        r.updatedAt = now;
        RolloutPhase p = phase(r, r.currentPhase);
        if (p != null && !p.state.isOver()) {
            p.state = PhaseState.CANCELLED;
            p.finishedAt = now;
        }
        store.cancelPending(r.id, "the rollout is rolled back", now);
        // The rollback handles the open forward actions itself; a cancel's cleanup must not cancel the rollback's actions.
        r.cleanupPending = false;
        store.event(r.id, now, "rolling-back", null, reason, by);
    }

    /**
     * One batch of the rollback: devices that run (or are being given) the rollout's version get
     * the version they ran before, per version with a rollback authorization; devices that ran no
     * version of the model before are reported. When no device is left to handle and every
     * rollback action closed, the rollout is rolled back (or failed when some could not be).
     */
    private boolean rollingBack(Rollout r, Instant now) {
        int n = paced(r, options(r).rate(), config.batchSize(), now);
        List<RolloutStore.Touched> batch = n <= 0 ? List.of() : store.touched(r.id, r.version.id, n);
        if (n <= 0) return false;
        if (batch.isEmpty()) {
            RolloutApi.Counts all = total(store.counts(r.id));
            if (all.rollingBack() > 0) return false;
            if (all.rollbackFailed() > 0) {
                finish(r, RolloutState.FAILED, all.rollbackFailed() + " devices could not be rolled back (see their reasons); "
                        + all.rolledBack() + " were", now);
            } else {
                finish(r, RolloutState.ROLLED_BACK, all.rolledBack() + " devices were rolled back", now);
            }
            return false;
        }
        Map<Long, List<Long>> byVersion = new TreeMap<>();
        Map<Long, String> failures = new LinkedHashMap<>();
        List<Long> cancel = new ArrayList<>();
        for (RolloutStore.Touched t : batch) {
            if (r.version.id.equals(t.previousVersionId())) {
                failures.put(t.deviceId(), "not rolled back: the device already ran " + r.version.version
                        + " when the rollout selected it, so there is no earlier version to restore");
            } else if (t.previousVersionId() != null) {
                byVersion.computeIfAbsent(t.previousVersionId(), k -> new ArrayList<>()).add(t.deviceId());
            } else {
                failures.put(t.deviceId(), "the device ran no earlier version of " + r.model.name + " to restore");
                if (t.open()) cancel.add(t.actionId());
            }
        }
        for (Long actionId : store.stillOpen(cancel)) deployments.cancel(actionId, false, r.createdBy == null ? ENGINE : r.createdBy);
        Map<Long, Long> actions = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Long>> e : byVersion.entrySet()) {
            ModelVersion v = em.find(ModelVersion.class, e.getKey());
            if (v == null || !v.status.isDeployable()) {
                String why = "the earlier version " + (v == null ? "" : v.version + " ") + "can no longer be deployed"
                        + (v == null ? "" : " (" + v.status.wireName() + ")");
                e.getValue().forEach(d -> failures.put(d, why));
                continue;
            }
            String authorization = authorize(r.model.name, v.version);
            List<DeploymentService.DeviceOutcome> out = deployments.assignToDevices(new DeploymentService.FleetAssignment(
                    r.model.name, v.version, ActionType.FORCED, r.lowPrecision, r.createdBy,
                    new ActionOptions(r.id, null, authorization)), e.getValue());
            for (DeploymentService.DeviceOutcome d : out) actions.put(d.deviceId(), d.actionId());
            e.getValue().stream().filter(d -> !actions.containsKey(d)).forEach(d -> failures.put(d, "the device is gone"));
            r.rateWindowCount += out.size();
            metrics.assigned(created(out));
        }
        store.rolledBack(r.id, actions, failures, now);
        return true;
    }

    /**
     * The signed rollback authorization for the release, or null when none can be signed: the
     * assignment then goes out without one, stock hawkBit clients take it, and devices running
     * Modelyard's updater get a failed action that says why (reported per device). Signed in a
     * transaction of its own, so a refusal does not undo the step.
     */
    private String authorize(String model, String version) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> rollbacks.authorize(model, version));
        } catch (DomainException e) {
            LOG.warnf("rollout: no rollback authorization for %s %s: %s", model, version, e.detail());
            return null;
        }
    }

    // ---- cancel -------------------------------------------------------------------------------

    /** Cancels one batch of the rollout's open actions (as a cancel through the API does); true while more remain. */
    private boolean cleanUp(Rollout r, Instant now) {
        store.cancelPending(r.id, "the rollout was cancelled", now);
        List<Long> found = store.openActions(r.id, config.batchSize());
        if (found.isEmpty()) {
            r.cleanupPending = false;
            return false;
        }
        // Some found may close before they are locked: only an empty search ends the cleanup, not a short batch.
        List<Long> open = store.stillOpen(found);
        String by = r.createdBy == null ? ENGINE : r.createdBy;
        for (Long id : open) deployments.cancel(id, false, by);
        if (!open.isEmpty()) store.cancelledActions(r.id, open, "the rollout was cancelled", now);
        return true;
    }

    // ---- dynamic ------------------------------------------------------------------------------

    /** The states in which a dynamic rollout takes devices that come to match it. */
    private static final List<RolloutState> JOINABLE = List.of(RolloutState.RUNNING, RolloutState.PAUSED);

    /**
     * Whether the tenant has a dynamic rollout that devices could join: one query for a whole batch
     * of device changes, so a fleet reporting attributes costs nothing more while none runs.
     */
    @Transactional
    boolean anyJoinable() {
        return Rollout.count("dynamic = true and state in ?1", JOINABLE) > 0;
    }

    /**
     * Lets a device that registered or changed join the current phase of each dynamic rollout of
     * the tenant that is running or paused and whose filter it now matches (up to maxDevices).
     * Returns the rollouts it joined.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    List<Long> join(long deviceId) {
        List<Long> joined = new ArrayList<>();
        List<Rollout> candidates = Rollout.list("dynamic = true and state in ?1 order by id", JOINABLE);
        for (Rollout r : candidates) {
            store.lock(r.id);
            em.refresh(r);
            if (r.state != RolloutState.RUNNING && r.state != RolloutState.PAUSED) continue;
            if (r.maxDevices != null && store.members(r.id) >= r.maxDevices) continue;
            if (!filters.matches(filters.compile(r.filter), deviceId)) continue;
            RolloutPhase p = phase(r, r.currentPhase);
            if (p == null || p.state.isOver()) continue;
            Instant now = clock.instant();
            if (store.join(r.id, p.index, r.model.id, r.version.id, deviceId, now)) {
                p.devices++;
                store.event(r.id, now, "device-joined", p.index, "device " + controllerId(deviceId) + " joined phase '" + p.name + "'", ENGINE);
                joined.add(r.id);
            }
        }
        return joined;
    }

    private String controllerId(long deviceId) {
        return (String) em.createNativeQuery("SELECT controller_id FROM device WHERE id = ?1 AND tenant = ?2")
                .setParameter(1, deviceId).setParameter(2, store.tenant()).getSingleResult();
    }

    // ---- shared -------------------------------------------------------------------------------

    RolloutSpec.Options options(Rollout r) {
        return read(r.spec, RolloutSpec.Options.class);
    }

    RolloutSpec.Phase phaseSpec(RolloutPhase p) {
        return read(p.spec, RolloutSpec.Phase.class);
    }

    static List<RolloutPhase> phases(Rollout r) {
        return RolloutPhase.list("rolloutId = ?1 order by index", r.id);
    }

    static RolloutPhase phase(Rollout r, int index) {
        return RolloutPhase.<RolloutPhase>find("rolloutId = ?1 and index = ?2", r.id, index).firstResult();
    }

    static RolloutApi.Counts total(Map<Integer, RolloutApi.Counts> counts) {
        RolloutApi.Counts all = RolloutApi.Counts.ZERO;
        for (RolloutApi.Counts c : counts.values()) all = all.plus(c);
        return all;
    }

    static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rollout spec unreadable: " + e.getOriginalMessage(), e);
        }
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
