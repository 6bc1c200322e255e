package dev.modelyard.server.delta;

import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * This replica's delta builders ({@code modelyard.delta.workers} threads; none when 0 or when
 * deltas are disabled). Each claims a due build, runs it as the row's tenant, and otherwise waits
 * for the poll interval or until this replica enqueues a build. A timer renews the leases of
 * running builds four times per lease period.
 */
@ApplicationScoped
public class DeltaWorkers {

    private static final Logger LOG = Logger.getLogger(DeltaWorkers.class);

    private final DeltaQueue queue;
    private final DeltaBuilder builder;
    private final DeltaMetrics metrics;
    private final TenantContext tenants;
    private final DeltaConfig config;
    private final Map<UUID, DeltaQueue.Claim> running = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private long generation;
    private volatile boolean stopping;
    private ExecutorService pool;
    private ScheduledExecutorService timer;

    public DeltaWorkers(DeltaQueue queue, DeltaBuilder builder, DeltaMetrics metrics, TenantContext tenants, DeltaConfig config) {
        this.queue = queue;
        this.builder = builder;
        this.metrics = metrics;
        this.tenants = tenants;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        int n = config.enabled() ? config.workers() : 0;
        if (n <= 0) {
            LOG.info("delta builders: none on this replica");
            return;
        }
        builder.removeLeftovers();
        AtomicInteger ids = new AtomicInteger();
        pool = Executors.newFixedThreadPool(n, r -> daemon(r, "delta-builder-" + ids.incrementAndGet()));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "delta-lease"));
        for (int i = 0; i < n; i++) pool.submit(this::poll);
        long beat = heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::renewLeases, beat, beat, TimeUnit.MILLISECONDS);
        LOG.infof("delta builders: %d on this replica", n);
    }

    /**
     * Waits a little for running builds, then puts back those still running without counting the
     * attempt: their closing transaction then finds the lease gone and changes nothing.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        wake();
        if (pool == null) return;
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        for (DeltaQueue.Claim c : running.values()) {
            try {
                tenants.runAs(c.tenant(), () -> queue.release(c));
            } catch (RuntimeException e) {
                LOG.warnf("could not put delta %s back in the queue (its lease will expire): %s", c.id(), e.getMessage());
            }
        }
        pool.shutdownNow();
    }

    /** Wakes idle builders at once: called after a transaction that enqueued builds commits. */
    public void wake() {
        synchronized (signal) {
            generation++;
            signal.notifyAll();
        }
    }

    private Duration heartbeat() {
        Duration d = config.leaseDuration().dividedBy(4);
        return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
    }

    private void poll() {
        while (!stopping) {
            long seen;
            synchronized (signal) {
                seen = generation;
            }
            Optional<DeltaQueue.Claim> claim;
            try {
                // One queue for every tenant: builders take whichever build is due first, then build it as its tenant.
                claim = tenants.acrossTenants(queue::claim);
            } catch (RuntimeException e) {
                LOG.warnf("could not look for delta builds: %s", e.getMessage());
                claim = Optional.empty();
            }
            if (claim.isPresent()) {
                DeltaQueue.Claim c = claim.get();
                tenants.runAs(c.tenant(), () -> execute(c));
                continue;
            }
            synchronized (signal) {
                if (generation == seen && !stopping) {
                    try {
                        signal.wait(Math.max(1, config.pollInterval().toMillis()));
                    } catch (InterruptedException e) {
                        if (stopping) return;
                    }
                }
            }
        }
    }

    private void execute(DeltaQueue.Claim c) {
        if (c.reclaimed()) LOG.infof("delta %s: the lease of a stopped replica expired; building it again (attempt %d)", c.id(), c.attempt());
        running.put(c.id(), c);
        long start = System.nanoTime();
        // A builder failure leaves the row to be taken again when its lease expires.
        DeltaBuilder.Outcome outcome = DeltaBuilder.Outcome.LEASE_LOST;
        try {
            outcome = builder.build(c);
        } catch (RuntimeException | LinkageError e) {
            LOG.errorf(e, "delta %s: the builder failed; its lease will expire and the build be taken again", c.id());
        } finally {
            running.remove(c.id());
            metrics.buildEnded(outcome, System.nanoTime() - start);
        }
    }

    private void renewLeases() {
        for (DeltaQueue.Claim c : running.values()) {
            try {
                boolean held = tenants.callAs(c.tenant(), () -> queue.renew(c));
                if (!held) LOG.warnf("delta %s: the lease was lost; the result of this build will not be kept", c.id());
            } catch (RuntimeException e) {
                LOG.warnf("could not renew the lease of delta %s: %s", c.id(), e.getMessage());
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
