package dev.modelyard.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The device limiter on a clock the test sets: the same answers as {@link RateLimiter}, bounded, exact under races. */
class IdRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenTheSustainedRateAsForOtherKeys() {
        IdRateLimiter devices = new IdRateLimiter(10);
        RateLimiter<Long> reference = new RateLimiter<>(10);
        Rate rate = new Rate(2, 3);
        long t = -7 * SECOND; // nanoTime may be negative
        long[] at = {t, t, t, t, t + SECOND / 2 - 1, t + SECOND / 2, t + SECOND / 2, t + 10 * SECOND, t + 10 * SECOND};
        for (long now : at) {
            assertEquals(reference.acquire(42L, rate, now), devices.acquire(42, rate, now), "at " + (now - t));
        }
        assertEquals(0, devices.acquire(43, rate, t), "another device has its own bucket");
    }

    @Test
    void offLimitsNothingAndTracksNothing() {
        IdRateLimiter devices = new IdRateLimiter(10);
        for (int i = 0; i < 1000; i++) assertEquals(0, devices.acquire(i, Rate.OFF, i));
        assertEquals(0, devices.size());
    }

    @Test
    void holdsAtMostItsBoundAndForgetsIdleDevicesFirst() {
        IdRateLimiter devices = new IdRateLimiter(1000);
        Rate rate = new Rate(1, 1);
        long t = 100 * SECOND;
        assertEquals(0, devices.acquire(7, rate, t));
        for (long id = 1_000; id < 5_000; id++) {
            assertEquals(0, devices.acquire(id, rate, t), "a new device passes");
            assertTrue(devices.acquire(7, rate, t) > 0, "device 7, polling all along, keeps its bucket");
        }
        assertTrue(devices.size() <= 1000, "bounded: " + devices.size());
    }

    /** Many threads on one device at one instant: exactly the burst passes, however the compare-and-sets interleave. */
    @Test
    void concurrentRequestsTakeExactlyTheBurst() throws Exception {
        IdRateLimiter devices = new IdRateLimiter(100);
        Rate rate = new Rate(1, 25);
        long t = 50 * SECOND;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> passed = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                passed.add(pool.submit(() -> {
                    start.await();
                    int n = 0;
                    for (int k = 0; k < 1_000; k++) if (devices.acquire(9, rate, t) == 0) n++;
                    return n;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : passed) total += f.get(5, TimeUnit.MINUTES);
            assertEquals(25, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
