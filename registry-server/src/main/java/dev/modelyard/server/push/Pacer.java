package dev.modelyard.server.push;

import java.util.concurrent.locks.LockSupport;

/**
 * Spaces events evenly at no more than a given rate, without bursts: the n-th event after an idle
 * spell waits until n-1 intervals have passed since the first. Used by one thread.
 */
final class Pacer {

    private final long intervalNanos;
    private long next;
    private boolean started;

    Pacer(int perSecond) {
        if (perSecond < 1) throw new IllegalArgumentException("max-per-second must be at least 1");
        this.intervalNanos = 1_000_000_000L / perSecond;
    }

    /** Waits for the next slot. */
    void await() throws InterruptedException {
        long now = System.nanoTime();
        if (!started || now - next > 0) {
            // Idle since the last slot: no credit is saved up, the next event goes now.
            started = true;
            next = now;
        }
        while (next - System.nanoTime() > 0) {
            LockSupport.parkNanos(next - System.nanoTime());
            if (Thread.interrupted()) throw new InterruptedException();
        }
        next += intervalNanos;
    }
}
