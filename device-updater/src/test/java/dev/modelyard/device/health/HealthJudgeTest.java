package dev.modelyard.device.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.runtime.ModelRuntime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthJudgeTest {

    static final HealthPolicy POLICY = new HealthPolicy(Duration.ofSeconds(60), 0.05, 2.0, 20);
    static final HealthJudge.Baseline BASELINE = new HealthJudge.Baseline("1.0.0", 10_000_000, 500);

    private static Verdict at(long seconds, long requests, long errors, long p99Millis) {
        ModelRuntime.Stats s = new ModelRuntime.Stats("2.0.0", requests, errors, (int) Math.min(4096, requests - errors), p99Millis * 1_000_000);
        return HealthJudge.judge(POLICY, BASELINE, s, Duration.ofSeconds(seconds));
    }

    @Test
    void aHealthyVersionPassesOnlyAtTheEndOfTheWindow() {
        assertEquals(Verdict.State.WATCHING, at(0, 0, 0, 0).state());
        assertEquals(Verdict.State.WATCHING, at(59, 1000, 10, 12).state());
        Verdict end = at(60, 1000, 10, 12);
        assertEquals(Verdict.State.HEALTHY, end.state());
        assertTrue(end.reason().contains("1000 requests"), end.reason());
    }

    @Test
    void errorsFailAsSoonAsEnoughRequestsWereSeen() {
        assertEquals(Verdict.State.WATCHING, at(1, 19, 19, 0).state(), "19 requests are too few to judge");
        Verdict v = at(1, 20, 8, 5);
        assertEquals(Verdict.State.FAILED, v.state());
        assertEquals("error rate 0.40 > 0.05 in health window (8 of 20 requests failed)", v.reason());
        assertEquals(Verdict.State.WATCHING, at(1, 100, 5, 5).state(), "exactly the maximum rate is allowed");
    }

    @Test
    void latencyIsJudgedAgainstTheReplacedVersionAtTheEnd() {
        assertEquals(Verdict.State.WATCHING, at(30, 1000, 0, 50).state());
        Verdict slow = at(60, 1000, 0, 21);
        assertEquals(Verdict.State.FAILED, slow.state());
        assertEquals("p99 21.0 ms > 2.0 × 10.0 ms (p99 of 1.0.0) in health window", slow.reason());
        assertEquals(Verdict.State.HEALTHY, at(60, 1000, 0, 20).state());
    }

    @Test
    void withoutABaselineOrTrafficOnlyErrorsCount() {
        ModelRuntime.Stats fast = new ModelRuntime.Stats("2.0.0", 1000, 0, 1000, 999_000_000);
        assertEquals(Verdict.State.HEALTHY, HealthJudge.judge(POLICY, null, fast, Duration.ofSeconds(60)).state());
        HealthJudge.Baseline thin = new HealthJudge.Baseline("1.0.0", 1_000_000, 5);
        assertEquals(Verdict.State.HEALTHY, HealthJudge.judge(POLICY, thin, fast, Duration.ofSeconds(60)).state());
        Verdict idle = at(60, 3, 0, 1);
        assertEquals(Verdict.State.HEALTHY, idle.state());
        assertTrue(idle.reason().startsWith("too few requests"), idle.reason());
    }
}
