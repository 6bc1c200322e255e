package dev.modelyard.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test sets: no waiting, no timing. */
class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenTheSustainedRate() {
        RateLimiter<String> limiter = new RateLimiter<>(10);
        Rate rate = new Rate(2, 3); // 2 a second, 3 at once
        long t = 1_000 * SECOND;
        for (int i = 0; i < 3; i++) assertEquals(0, limiter.acquire("a", rate, t), "burst request " + i);
        long wait = limiter.acquire("a", rate, t);
        assertEquals(SECOND / 2, wait, "the next one is due after half a second");
        assertEquals(0, limiter.acquire("b", rate, t), "another key has its own bucket");
        assertTrue(limiter.acquire("a", rate, t + wait - 1) > 0, "refused requests take nothing, still early");
        assertEquals(0, limiter.acquire("a", rate, t + wait));
        assertTrue(limiter.acquire("a", rate, t + wait) > 0);
        assertEquals(0, limiter.acquire("a", rate, t + 10 * SECOND), "refilled after a quiet period");
    }

    @Test
    void aQuietKeyGetsItsWholeBurstBackButNoMore() {
        RateLimiter<String> limiter = new RateLimiter<>(10);
        Rate rate = new Rate(1, 2);
        long t = 5 * SECOND;
        assertEquals(0, limiter.acquire("a", rate, t));
        assertEquals(0, limiter.acquire("a", rate, t));
        long later = t + 3600 * SECOND;
        assertEquals(0, limiter.acquire("a", rate, later));
        assertEquals(0, limiter.acquire("a", rate, later));
        assertEquals(SECOND, limiter.acquire("a", rate, later), "the burst does not grow with idle time");
    }

    @Test
    void offLimitsNothingAndTracksNothing() {
        RateLimiter<String> limiter = new RateLimiter<>(10);
        for (int i = 0; i < 1000; i++) assertEquals(0, limiter.acquire("k" + i, Rate.OFF, i));
        assertEquals(0, limiter.size());
    }

    @Test
    void memoryIsBoundedAndIdleKeysAreDroppedFirst() {
        RateLimiter<String> limiter = new RateLimiter<>(3);
        Rate rate = new Rate(1, 1);
        long t = 100 * SECOND;
        for (String k : new String[] {"a", "b", "c"}) assertEquals(0, limiter.acquire(k, rate, t));
        assertEquals(0, limiter.acquire("d", rate, t), "a full table lets a new key pass untracked");
        assertEquals(3, limiter.size());
        // Two seconds later every bucket has refilled: a new key sweeps them out and is tracked.
        assertEquals(0, limiter.acquire("e", rate, t + 2 * SECOND));
        assertEquals(1, limiter.size());
        assertTrue(limiter.acquire("e", rate, t + 2 * SECOND) > 0);
    }

    @Test
    void aLimitNeedsABurst() {
        assertThrows(IllegalArgumentException.class, () -> new Rate(5, 0));
    }
}
