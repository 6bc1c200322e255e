package dev.modelyard.server.background;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WakeSignalTest {

    /** Far longer than any test waits: a wait that is not cut short would fail the deadline below. */
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void aWakeBetweenTheLookAndTheWaitIsNotLost() {
        WakeSignal signal = new WakeSignal();
        long seen = signal.generation();
        signal.wake(); // lands after the poller looked for work and before it waits
        assertTimeoutPreemptively(DEADLINE, () -> signal.await(seen, HOUR, () -> false));
    }

    @Test
    void aWaitingPollerIsWoken() throws Exception {
        WakeSignal signal = new WakeSignal();
        long seen = signal.generation();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waker = new Thread(() -> {
            try {
                waiting.await();
            } catch (InterruptedException e) {
                return;
            }
            signal.wake();
        });
        waker.start();
        assertTimeoutPreemptively(DEADLINE, () -> {
            waiting.countDown();
            // Woken whether the wake comes before the wait (generation moved) or during it (notify).
            signal.await(seen, HOUR, () -> false);
        });
        waker.join();
    }

    @Test
    void aStoppingPollerDoesNotWait() {
        WakeSignal signal = new WakeSignal();
        assertTimeoutPreemptively(DEADLINE, () -> signal.await(signal.generation(), HOUR, () -> true));
    }
}
