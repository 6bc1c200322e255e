package dev.modelyard.server.rollout;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceChanged;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Drives every rollout that has work to do: every {@code modelyard.rollout.tick-interval}, and at
 * once when the API or a device change wakes it. Each replica runs one engine thread; the rollout
 * row's lock ({@link RolloutSteps}) makes sure each step runs on one of them. Dynamic rollouts
 * hear of device changes from the replica that committed them (a change on a replica that dies
 * before its engine handled it is not seen; the device joins on its next change).
 */
@ApplicationScoped
public class RolloutEngine {

    private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
    /** Steps one rollout may take per tick before the others get their turn. */
    static final int STEPS_PER_TURN = 50;

    private final RolloutSteps steps;
    private final TenantContext tenants;
    private final EntityManager em;
    private final ModelyardConfig.Rollout config;
    private final ConcurrentLinkedQueue<DeviceChanged> changes = new ConcurrentLinkedQueue<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean stopping;
    private Thread thread;

    RolloutEngine(RolloutSteps steps, TenantContext tenants, EntityManager em, ModelyardConfig config) {
        this.steps = steps;
        this.tenants = tenants;
        this.em = em;
        this.config = config.rollout();
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
        changes.add(change);
        wake();
    }

    private void loop() {
        while (!stopping) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warnf(e, "rollout engine: tick failed; trying again in %s", config.tickInterval());
            }
            synchronized (signal) {
                if (!woken && !stopping) {
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

    /** One pass: device changes for dynamic rollouts, then a turn for every rollout with work to do. */
    void tick() {
        for (DeviceChanged c; (c = changes.poll()) != null; ) {
            DeviceChanged change = c;
            try {
                tenants.runAs(change.tenant(), () -> steps.join(change.deviceId()));
            } catch (RuntimeException e) {
                LOG.warnf(e, "rollout engine: device %d could not join dynamic rollouts", change.deviceId());
            }
        }
        for (Due d : due()) {
            try {
                tenants.runAs(d.tenant(), () -> run(d.id()));
            } catch (RuntimeException e) {
                LOG.warnf(e, "rollout engine: a step of rollout %d failed; it is tried again next tick", d.id());
            }
        }
    }

    /** Runs steps of the rollout while there is work to do at once, up to a turn's worth. Call in its tenant. */
    void run(long rolloutId) {
        for (int i = 0; i < STEPS_PER_TURN && !stopping; i++) {
            if (steps.step(rolloutId) != RolloutSteps.Result.MORE) return;
        }
    }

    /** Runs one step of the rollout in its tenant (tests call this from several threads: one wins the claim). */
    RolloutSteps.Result stepOnce(String tenant, long rolloutId) {
        return tenants.callAs(tenant, () -> steps.step(rolloutId));
    }

    record Due(long id, String tenant) {
    }

    List<Due> due() {
        // The engine serves every tenant: it lists the rollouts with work to do across tenants,
        // and runs each step in the rollout's own tenant.
        return tenants.acrossTenants(() -> QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    SELECT id, tenant FROM rollout
                    WHERE state IN ('scheduled', 'running', 'rolling-back') OR cleanup_pending ORDER BY id""").getResultList();
            List<Due> out = new ArrayList<>(rows.size());
            for (Object[] r : rows) out.add(new Due(((Number) r[0]).longValue(), (String) r[1]));
            return out;
        }));
    }
}
