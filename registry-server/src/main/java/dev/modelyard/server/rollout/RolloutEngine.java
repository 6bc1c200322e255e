package dev.modelyard.server.rollout;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceChanged;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.jboss.logging.Logger;

/**
 * Drives every rollout that has work to do: every {@code modelyard.rollout.tick-interval}, and at
 * once when the API or a device change wakes it. Each replica runs one engine thread; the rollout
 * row's lock ({@link RolloutSteps}) makes sure each step runs on one of them. Dynamic rollouts
 * hear of device changes from the replica that committed them, through a bounded queue
 * ({@code modelyard.rollout.join-queue-size}): a change that finds the queue full is dropped and
 * counted, as is one on a replica that dies before its engine handled it; such a device joins on
 * its next change.
 *
 * <p>A step that the domain refuses (such as a filter that names a model deleted since) would be
 * refused again on every tick: the engine pauses the rollout instead, with the refusal as its
 * reason. A step that fails unexpectedly is retried with a growing back-off, logged once.
 */
@ApplicationScoped
public class RolloutEngine {

    private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
    /** Steps one rollout may take per tick before the others get their turn. */
    static final int STEPS_PER_TURN = 50;
    /** Device changes handled per tick, before the rollouts get their turn (the rest wait for the next tick). */
    static final int JOINS_PER_TURN = 500;
    /** The longest a rollout whose steps fail unexpectedly waits before it is tried again. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final RolloutSteps steps;
    private final RolloutStore store;
    private final RolloutMetrics metrics;
    private final TenantContext tenants;
    private final EntityManager em;
    private final Clock clock;
    private final ModelyardConfig.Rollout config;
    private final BlockingQueue<DeviceChanged> changes;
    /** Rollouts whose last step failed unexpectedly: not tried before their back-off ends. */
    private final Map<Long, Failing> failing = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean stopping;
    private Thread thread;

    RolloutEngine(RolloutSteps steps, RolloutStore store, RolloutMetrics metrics, TenantContext tenants, EntityManager em,
                  Clock clock, ModelyardConfig config) {
        this.steps = steps;
        this.store = store;
        this.metrics = metrics;
        this.tenants = tenants;
        this.em = em;
        this.clock = clock;
        this.config = config.rollout();
        this.changes = new LinkedBlockingQueue<>(Math.max(1, this.config.joinQueueSize()));
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::loop, "rollout-engine");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        wake();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes the engine look at once (after a transaction that changed a rollout committed). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    void deviceChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) DeviceChanged change) {
        if (!changes.offer(change)) {
            metrics.joinDropped();
            return;
        }
        wake();
    }

    /** Device changes waiting (tests watch it drain). */
    int queuedChanges() {
        return changes.size();
    }

    private void loop() {
        while (!stopping) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warnf(e, "rollout engine: tick failed; trying again in %s", config.tickInterval());
            }
            synchronized (signal) {
                if (!woken && !stopping && changes.isEmpty()) {
                    try {
                        signal.wait(Math.max(1, config.tickInterval().toMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    /**
     * One pass: a batch of device changes for dynamic rollouts, then a turn for every rollout with
     * work to do. Changes beyond the batch wait for the next pass, which follows at once.
     */
    void tick() {
        joinBatch();
        Instant now = clock.instant();
        for (Due d : due()) {
            Failing f = failing.get(d.id());
            if (f != null && now.isBefore(f.retryAt())) continue;
            try {
                tenants.runAs(d.tenant(), () -> run(d.id()));
            } catch (RuntimeException e) {
                backOff(d.id(), e);
            }
        }
    }

    /** Takes up to {@link #JOINS_PER_TURN} changes, each device once, and lets each tenant's devices join in one go. */
    private void joinBatch() {
        List<DeviceChanged> batch = new ArrayList<>();
        changes.drainTo(batch, JOINS_PER_TURN);
        Map<String, Set<Long>> byTenant = new LinkedHashMap<>();
        for (DeviceChanged c : batch) byTenant.computeIfAbsent(c.tenant(), t -> new LinkedHashSet<>()).add(c.deviceId());
        for (Map.Entry<String, Set<Long>> e : byTenant.entrySet()) {
            try {
                tenants.runAs(e.getKey(), () -> {
                    if (!steps.anyJoinable()) return;
                    for (long deviceId : e.getValue()) join(deviceId);
                });
            } catch (RuntimeException ex) {
                LOG.warnf(ex, "rollout engine: devices of tenant %s could not join dynamic rollouts", e.getKey());
            }
        }
    }

    private void join(long deviceId) {
        try {
            steps.join(deviceId);
        } catch (RuntimeException e) {
            LOG.warnf(e, "rollout engine: device %d could not join dynamic rollouts; it joins on its next change", deviceId);
        }
    }

    /**
     * Runs steps of the rollout while there is work to do at once, up to a turn's worth. Call in
     * its tenant. A step the domain refuses pauses the rollout; an unexpected failure backs off.
     */
    void run(long rolloutId) {
        try {
            for (int i = 0; i < STEPS_PER_TURN && !stopping; i++) {
                if (steps.step(rolloutId) != RolloutSteps.Result.MORE) break;
            }
            Failing was = failing.remove(rolloutId);
            if (was != null) LOG.infof("rollout engine: rollout %d steps again after %d failed attempts", rolloutId, was.attempts());
        } catch (DomainException e) {
            if (!pauseRefused(rolloutId, e)) backOff(rolloutId, e);
        } catch (RuntimeException e) {
            backOff(rolloutId, e);
        }
    }

    /**
     * Pauses a running or scheduled rollout whose step the domain refused, with the refusal as the
     * reason and an event, in a transaction of its own (the step's rolled back). Someone fixes
     * the cause and resumes it. False when the rollout is in no state that pauses.
     */
    private boolean pauseRefused(long rolloutId, DomainException refusal) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Rollout r = em.find(Rollout.class, rolloutId);
            if (r == null) return true;
            store.lock(rolloutId);
            em.refresh(r);
            if (r.state != RolloutState.RUNNING && r.state != RolloutState.SCHEDULED) return false;
            Instant now = clock.instant();
            r.state = RolloutState.PAUSED;
            r.stateReason = "paused by the engine: " + refusal.detail();
            r.updatedAt = now;
            store.event(r.id, now, "paused", r.currentPhase, r.stateReason, RolloutSteps.ENGINE);
            steps.sample(r, now);
            failing.remove(rolloutId);
            LOG.infof("rollout engine: paused rollout %d: %s", rolloutId, refusal.detail());
            return true;
        });
    }

    /** Waits twice as long after each failure (from the tick interval up to {@link #MAX_BACKOFF}); logs the first. */
    private void backOff(long rolloutId, RuntimeException e) {
        Failing f = failing.merge(rolloutId, new Failing(1, null), (old, one) -> new Failing(old.attempts() + 1, null));
        Duration wait = config.tickInterval().multipliedBy(1L << Math.min(20, f.attempts() - 1));
        if (wait.compareTo(MAX_BACKOFF) > 0) wait = MAX_BACKOFF;
        failing.put(rolloutId, new Failing(f.attempts(), clock.instant().plus(wait)));
        if (f.attempts() == 1) {
            LOG.warnf(e, "rollout engine: a step of rollout %d failed; it is tried again with a growing back-off (up to %s), "
                    + "logged again when it recovers", rolloutId, MAX_BACKOFF);
        } else {
            LOG.debugf("rollout engine: a step of rollout %d failed again (%d attempts): %s", rolloutId, f.attempts(), e);
        }
    }

    private record Failing(int attempts, Instant retryAt) {
    }

    /** Runs one step of the rollout in its tenant (tests call this from several threads: one wins the claim). */
    RolloutSteps.Result stepOnce(String tenant, long rolloutId) {
        return tenants.callAs(tenant, () -> steps.step(rolloutId));
    }

    record Due(long id, String tenant) {
    }

    List<Due> due() {
        // The engine serves every tenant: it lists the rollouts with work to do across tenants,
        // and runs each step in the rollout's own tenant. A disabled tenant's rollouts wait, as its jobs do.
        return tenants.acrossTenants(() -> QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    SELECT r.id, r.tenant FROM rollout r
                    WHERE (r.state IN ('scheduled', 'running', 'rolling-back') OR r.cleanup_pending)
                      AND EXISTS (SELECT 1 FROM tenant t WHERE t.id = r.tenant AND t.enabled)
                    ORDER BY r.id""").getResultList();
            List<Due> out = new ArrayList<>(rows.size());
            for (Object[] r : rows) out.add(new Due(((Number) r[0]).longValue(), (String) r[1]));
            return out;
        }));
    }
}
