package dev.modelyard.server.background;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Wakes a replica's pollers of a durable queue (conversion jobs, delta builds) when this replica
 * has just queued work, so they do not sleep out their poll interval.
 *
 * <p>Concurrency rule: a poller reads {@link #generation()} <em>before</em> it looks for work and
 * passes it to {@link #await}, which waits only while nothing has woken the signal since. A wake
 * that lands between the look (which found nothing) and the wait is therefore never lost: the
 * generation has moved and the wait returns at once. Wakes are cheap and may be spurious; the
 * pollers look again either way.
 */
public final class WakeSignal {

    private final Object lock = new Object();
    private long generation;

    /** The current generation; read it before looking for work. */
    public long generation() {
        synchronized (lock) {
            return generation;
        }
    }

    /** Wakes every poller waiting now, and makes the next {@link #await} of one that looked before return at once. */
    public void wake() {
        synchronized (lock) {
            generation++;
            lock.notifyAll();
        }
    }

    /**
     * Waits up to {@code timeout} (at least a millisecond) unless the signal was woken since
     * {@code seen} or {@code stopping} says the poller is to stop.
     */
    public void await(long seen, Duration timeout, BooleanSupplier stopping) throws InterruptedException {
        synchronized (lock) {
            if (generation == seen && !stopping.getAsBoolean()) {
                lock.wait(Math.max(1, timeout.toMillis()));
            }
        }
    }
}
