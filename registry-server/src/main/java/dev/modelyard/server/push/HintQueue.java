package dev.modelyard.server.push;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The devices waiting for a hint, in the order they changed, each at most once: a device that
 * changes again while it waits keeps its place, and its hint carries the state version read when
 * it is sent, so nothing is lost by coalescing. Bounded: past {@code capacity} ids are refused,
 * never queued, so a burst cannot grow memory.
 */
final class HintQueue {

    private final int capacity;
    private final LinkedHashSet<Long> pending = new LinkedHashSet<>();

    HintQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("queue size must be at least 1");
        this.capacity = capacity;
    }

    /** Adds the devices not waiting yet; returns how many were refused because the queue is full. */
    synchronized int offer(Collection<Long> deviceIds) {
        int refused = 0;
        boolean added = false;
        for (Long id : deviceIds) {
            if (pending.contains(id)) continue;
            if (pending.size() >= capacity) {
                refused++;
                continue;
            }
            pending.add(id);
            added = true;
        }
        if (added) notifyAll();
        return refused;
    }

    /** Removes and returns up to {@code max} devices, waiting up to {@code timeoutMillis} for the first. */
    synchronized List<Long> take(int max, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (pending.isEmpty()) {
            long left = end - System.nanoTime();
            if (left <= 0) return List.of();
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        List<Long> batch = new ArrayList<>(Math.min(max, pending.size()));
        Iterator<Long> it = pending.iterator();
        while (it.hasNext() && batch.size() < max) {
            batch.add(it.next());
            it.remove();
        }
        return batch;
    }

    /** Empties the queue; returns how many devices were waiting. */
    synchronized int clear() {
        int n = pending.size();
        pending.clear();
        return n;
    }

    synchronized int size() {
        return pending.size();
    }
}
