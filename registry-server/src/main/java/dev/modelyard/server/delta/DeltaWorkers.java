package dev.modelyard.server.delta;

import dev.modelyard.server.background.WakeSignal;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
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
import java.util.function.Function;
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
    /** The zstd levels the encoders accept ({@code DeltaEncoding}). */
    static final int MIN_LEVEL = 1;
    static final int MAX_LEVEL = 19;

    private final DeltaQueue queue;
    private final DeltaBuilder builder;
    private final DeltaMetrics metrics;
    private final TenantContext tenants;
    private final DeltaConfig config;
    private final TransactionSynchronizationRegistry transactions;
    private final Map<UUID, DeltaQueue.Claim> running = new ConcurrentHashMap<>();
    private final WakeSignal signal = new WakeSignal();
    private volatile boolean stopping;
    private ExecutorService pool;
    private ScheduledExecutorService timer;

    public DeltaWorkers(DeltaQueue queue, DeltaBuilder builder, DeltaMetrics metrics, TenantContext tenants, DeltaConfig config,
                        TransactionSynchronizationRegistry transactions) {
        this.queue = queue;
        this.builder = builder;
        this.metrics = metrics;
        this.tenants = tenants;
        this.config = config;
        this.transactions = transactions;
    }

    void start(@Observes StartupEvent event) {
        checkLevel(config.level());
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
     * A level the encoders refuse would fail every build only when one runs; refusing it here
     * stops the server at start with the setting named instead.
     */
    static void checkLevel(int level) {
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new IllegalStateException("modelyard.delta.level is " + level + ": the zstd level of delta builds must be "
                    + MIN_LEVEL + " to " + MAX_LEVEL);
        }
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
        builder.release();
    }

    /**
     * Wakes idle builders once the current transaction commits (at once without one): a build
     * queued in it is invisible to the builders' own transactions until then.
     */
    public void wakeAfterCommit() {
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            wake();
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) wake();
            }
        });
    }

    /** Wakes idle builders at once: called after a transaction that enqueued builds commits. */
    public void wake() {
        signal.wake();
    }

    private Duration heartbeat() {
        Duration d = config.leaseDuration().dividedBy(4);
        return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
    }

    private void poll() {
        while (!stopping) {
            long seen = signal.generation();
            Optional<DeltaQueue.Claim> claim;
            try {
                // One queue for every tenant: builders take whichever build is due first, then build it as its tenant.
                claim = tenants.acrossTenants(queue::claim);
            } catch (Throwable e) {
                // Not even an Error may end the loop: the next poll tries again.
                LOG.warnf("could not look for delta builds: %s", e.toString());
                claim = Optional.empty();
            }
            if (claim.isPresent()) {
                DeltaQueue.Claim c = claim.get();
                try {
                    tenants.runAs(c.tenant(), () -> execute(c));
                } catch (Throwable e) {
                    // Entering the tenant failed: the claim's lease expires and the build is taken again.
                    LOG.warnf("delta %s: could not run the build as tenant %s: %s", c.id(), c.tenant(), e.toString());
                }
                continue;
            }
            try {
                signal.await(seen, config.pollInterval(), () -> stopping);
            } catch (InterruptedException e) {
                if (stopping) return;
            }
        }
    }

    private void execute(DeltaQueue.Claim c) {
        execute(c, builder::build);
    }

    /** Runs one claimed build ({@code build} is the builder's, or a test's that fails as no real one can on demand). */
    void execute(DeltaQueue.Claim c, Function<DeltaQueue.Claim, DeltaBuilder.Outcome> build) {
        if (c.reclaimed()) LOG.infof("delta %s: the lease of a stopped replica expired; building it again (attempt %d)", c.id(), c.attempt());
        running.put(c.id(), c);
        long start = System.nanoTime();
        // Until the build or its failure record says otherwise, the row is taken again when its lease expires.
        DeltaBuilder.Outcome outcome = DeltaBuilder.Outcome.LEASE_LOST;
        try {
            outcome = build.apply(c);
        } catch (Throwable e) {
            // Any throwable, an OutOfMemoryError on a large model too: one build's failure must
            // never end this builder's loop. The attempt counts and the build is retried later
            // (FAILED after the last attempt); if even that cannot be written, the lease expires.
            outcome = retryLater(c, e);
        } finally {
            running.remove(c.id());
            metrics.buildEnded(outcome, System.nanoTime() - start);
        }
    }

    private DeltaBuilder.Outcome retryLater(DeltaQueue.Claim c, Throwable e) {
        LOG.errorf(e, "delta %s: the builder failed", c.id());
        String error = "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage());
        try {
            return queue.retryLater(c, error) ? DeltaBuilder.Outcome.RETRY : DeltaBuilder.Outcome.FAILED;
        } catch (Throwable again) {
            LOG.warnf("delta %s: could not record the failure (%s); its lease will expire and the build be taken again", c.id(), again);
            return DeltaBuilder.Outcome.LEASE_LOST;
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
