package dev.modelyard.demo;

import java.time.Duration;

/** Waiting for a condition until a deadline: generous ones, as a machine busy with other work needs. */
final class Waiting {

    private static final long PAUSE_MILLIS = 250;

    private Waiting() {
    }

    interface Condition {
        /** True once the wait is over; may throw a {@link DemoFailure} when it never will be. */
        boolean met() throws Exception;
    }

    static void until(String what, Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("gave up after " + timeout.toSeconds() + " s waiting until " + what);
            }
            pause(PAUSE_MILLIS);
        }
    }

    static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
