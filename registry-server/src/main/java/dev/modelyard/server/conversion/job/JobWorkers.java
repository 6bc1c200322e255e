package dev.modelyard.server.conversion.job;

import dev.modelyard.server.background.WakeSignal;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.lease.Replica;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * This replica's worker pool ({@code modelyard.conversion.workers} threads; none when 0). Each
 * worker claims a due job, runs it, and otherwise sleeps for the poll interval or until a job is
 * enqueued here. A timer renews the leases of running jobs (and learns of cancellations made on
 * other replicas), flushes their logs, and stops jobs that exceed their timeout.
 */
@ApplicationScoped
public class JobWorkers {

    private static final Logger LOG = Logger.getLogger(JobWorkers.class);
    /** How long a job that ran out of time may take to notice before it is failed without it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final JobQueue queue;
    private final JobRunner runner;
    private final JobLog jobLog;
    private final JobMetrics metrics;
    private final TenantContext tenants;
    private final ModelyardConfig.Conversion config;
    private final String replica;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final WakeSignal signal = new WakeSignal();
    private volatile boolean stopping;
    private ExecutorService pool;
    private ScheduledExecutorService timer;

    public JobWorkers(JobQueue queue, JobRunner runner, JobLog jobLog, ModelyardConfig config, JobMetrics metrics,
                      TenantContext tenants, Replica replica) {
        this.tenants = tenants;
        this.queue = queue;
        this.metrics = metrics;
        this.runner = runner;
        this.jobLog = jobLog;
        this.config = config.conversion();
        // The name the lease table knows this replica by, so a job's owner and a lease holder match.
        this.replica = replica.id();
    }

    /** A job this replica runs, and the one reason it may be told to stop. */
    private static final class Running {
        final JobQueue.Claim claim;
        final Thread thread;
        final JobLog.Buffer log;
        private JobRunner.Stop reason;
        private boolean active = true;

        Running(JobQueue.Claim claim, Thread thread, JobLog.Buffer log) {
            this.claim = claim;
            this.thread = thread;
            this.log = log;
        }

        /** The first reason wins; the thread is interrupted only while it still runs this job. */
        synchronized void stop(JobRunner.Stop why) {
            if (reason != null || !active) return;
            reason = why;
            thread.interrupt();
        }

        synchronized JobRunner.Stop reason() {
            return reason;
        }

        synchronized void done() {
            active = false;
        }

        synchronized boolean isActive() {
            return active;
        }
    }

    void start(@Observes StartupEvent event) {
        int n = config.workers();
        if (n <= 0) {
            LOG.info("conversion workers: none on this replica (modelyard.conversion.workers=0)");
            return;
        }
        runner.removeLeftovers();
        AtomicInteger ids = new AtomicInteger();
        pool = Executors.newFixedThreadPool(n, r -> daemon(r, "conversion-worker-" + ids.incrementAndGet()));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "conversion-lease"));
        for (int i = 0; i < n; i++) pool.submit(this::poll);
        long beat = heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::renewLeases, beat, beat, TimeUnit.MILLISECONDS);
        LOG.infof("conversion workers: %d on replica %s", n, replica);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        running.values().forEach(r -> r.stop(JobRunner.Stop.SHUTDOWN));
        wake();
        if (pool == null) return;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        runner.releaseWorkDirectory();
    }

    /** Wakes idle workers at once: called after a transaction that enqueued jobs commits. */
    public void wake() {
        signal.wake();
    }

    /** Stops a job if this replica runs it; other replicas learn of it when they renew the lease. */
    public void cancelLocally(long jobId) {
        Running r = running.get(jobId);
        if (r != null) r.stop(JobRunner.Stop.CANCELLED);
    }

    /** Renewals per lease period: several, so one slow database round trip never loses a lease. */
    private Duration heartbeat() {
        Duration d = config.leaseDuration().dividedBy(4);
        return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
    }

    private void poll() {
        while (!stopping) {
            long seen = signal.generation();
            Optional<JobQueue.Claim> claim;
            try {
                // One queue for every tenant: workers take whichever job is due first, then run it as its tenant.
                claim = tenants.acrossTenants(() -> queue.claim(replica));
            } catch (RuntimeException e) {
                LOG.warnf("could not look for conversion jobs: %s", e.getMessage());
                claim = Optional.empty();
            }
            if (claim.isPresent()) {
                JobQueue.Claim c = claim.get();
                tenants.runAs(c.tenant(), () -> execute(c));
                continue;
            }
            try {
                signal.await(seen, config.pollInterval(), () -> stopping);
            } catch (InterruptedException e) {
                if (stopping) return;
            }
        }
    }

    private void execute(JobQueue.Claim c) {
        JobLog.Buffer log = jobLog.buffer(c.jobId());
        Running r = new Running(c, Thread.currentThread(), log);
        running.put(c.jobId(), r);
        ScheduledFuture<?> timeout = timer.schedule(() -> timedOut(r), c.timeoutSeconds(), TimeUnit.SECONDS);
        long start = System.nanoTime();
        // A worker failure leaves the job to be taken again when its lease expires, as a lost lease does.
        JobRunner.Outcome outcome = JobRunner.Outcome.LEASE_LOST;
        try {
            outcome = runner.run(c, log, r::reason);
        } catch (RuntimeException | LinkageError e) {
            // The worker thread must survive whatever one job does; the job's lease runs out and it is taken again.
            LOG.errorf(e, "conversion job %d: the worker failed; its lease will expire and the job be taken again", c.jobId());
        } finally {
            metrics.attemptEnded(outcome, System.nanoTime() - start);
            timeout.cancel(false);
            r.done();
            running.remove(c.jobId());
            Thread.interrupted();
            flush(log);
        }
    }

    /**
     * Interrupts a job that ran out of time. A step inside native code (ONNX Runtime) does not
     * see interrupts, so if the job has not ended after a grace period it is failed here: its
     * lease guard then keeps the stuck attempt from ever committing, and the job is not left
     * running with a lease this replica keeps renewing.
     */
    private void timedOut(Running r) {
        r.stop(JobRunner.Stop.TIMED_OUT);
        timer.schedule(() -> {
            if (!r.isActive()) return;
            LOG.warnf("conversion job %d: still running %s after its timeout; failed without waiting for it",
                    r.claim.jobId(), STOP_GRACE);
            try {
                tenants.runAs(r.claim.tenant(), () -> queue.fail(r.claim,
                        "timed out after " + r.claim.timeoutSeconds() + " s (the step in progress did not stop)"));
            } catch (RuntimeException e) {
                LOG.warnf("could not fail conversion job %d: %s", r.claim.jobId(), e.getMessage());
            }
        }, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void renewLeases() {
        for (Running r : running.values()) {
            tenants.runAs(r.claim.tenant(), () -> renewLease(r));
        }
    }

    private void renewLease(Running r) {
        try {
            switch (queue.renew(r.claim)) {
                case CANCEL_REQUESTED -> r.stop(JobRunner.Stop.CANCELLED);
                case LOST -> r.stop(JobRunner.Stop.LEASE_LOST);
                case HELD -> { }
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not renew the lease of conversion job %d: %s", r.claim.jobId(), e.getMessage());
        }
        flush(r.log);
    }

    private static void flush(JobLog.Buffer log) {
        try {
            log.flush();
        } catch (RuntimeException e) {
            LOG.warnf("could not write a conversion job's log: %s", e.getMessage());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
