package dev.modelyard.device.ddi;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request to poll now (a push hint) that cannot be lost: it is remembered until the poll loop
 * next waits, so one that comes during a poll makes the loop poll again rather than sleep.
 * Several requests before the loop looks are one poll.
 */
final class PollTrigger {

    /** How often a wait looks at the stop flag. */
    private static final long STOP_CHECK_MILLIS = 500;
    private boolean pending;

    synchronized void trigger() {
        pending = true;
        notifyAll();
    }

    /**
     * Waits up to {@code d}, less when triggered or stopped. Returns true when a trigger ended
     * the wait (or was already pending), consuming it.
     */
    synchronized boolean await(Duration d, AtomicBoolean stop) {
        long end = System.nanoTime() + d.toNanos();
        try {
            while (!pending && !stop.get()) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(STOP_CHECK_MILLIS)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean triggered = pending;
        pending = false;
        return triggered;
    }
}
