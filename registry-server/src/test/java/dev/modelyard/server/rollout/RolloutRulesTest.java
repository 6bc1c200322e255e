package dev.modelyard.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rules the engine applies, as pure functions: phase sizes, the rate's growth, the failure budget. */
class RolloutRulesTest {

    private static RolloutSpec.Phase sized(String size) {
        return new RolloutSpec.Phase("p", size, Duration.ZERO, 100, 1, false, null);
    }

    @Test
    void phaseSizesArePercentagesOfTheDevicesMatchingAtStartOrCounts() {
        assertEquals(1, sized("1%").devicesOf(10), "a share of a small fleet is at least one device");
        assertEquals(1_000, sized("1%").devicesOf(100_000));
        assertEquals(3, sized("25%").devicesOf(10), "rounded up");
        assertEquals(0, sized("10%").devicesOf(0));
        assertEquals(50, sized("50").devicesOf(10), "a count is a count (the selection finds fewer)");
        assertEquals(1, sized("0.5%").devicesOf(200));
    }

    @Test
    void theRateGrowsByItsFactorEveryPeriodSinceTheStart() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        RolloutSpec.Rate flat = new RolloutSpec.Rate(100, 1.0, Duration.ofMinutes(1));
        assertEquals(100, flat.perMinuteAt(start, start.plus(Duration.ofHours(5))));
        RolloutSpec.Rate doubling = new RolloutSpec.Rate(100, 2.0, Duration.ofMinutes(1));
        assertEquals(100, doubling.perMinuteAt(start, start.plusSeconds(59)));
        assertEquals(200, doubling.perMinuteAt(start, start.plusSeconds(60)));
        assertEquals(800, doubling.perMinuteAt(start, start.plusSeconds(3 * 60 + 1)));
        assertEquals(Integer.MAX_VALUE, doubling.perMinuteAt(start, start.plus(Duration.ofDays(1))), "never overflows");
        assertEquals(100, doubling.perMinuteAt(null, start), "not started: the base rate");
    }

    @Test
    void theFailureBudgetTripsAboveItsShareOnceEnoughExecuted() {
        Rollout r = new Rollout();
        RolloutSpec.FailureBudget b = new RolloutSpec.FailureBudget(5, 20, RolloutSpec.OnFailure.PAUSE);
        assertNull(RolloutSteps.budgetTripped(r, b, counts(10, 9)), "19 executed: too few to judge");
        assertNull(RolloutSteps.budgetTripped(r, b, counts(19, 1)), "1 of 20 is 5%: within the budget");
        String tripped = RolloutSteps.budgetTripped(r, b, counts(18, 2));
        assertNotNull(tripped);
        assertTrue(tripped.contains("2 of 20") && tripped.contains("10.0%"), tripped);
        assertNull(RolloutSteps.budgetTripped(r, null, counts(0, 100)), "no budget, nothing trips");
        // After a resume only what executed since counts.
        r.budgetBaseExecuted = 20;
        r.budgetBaseFailed = 2;
        assertNull(RolloutSteps.budgetTripped(r, b, counts(30, 3)), "13 executed since the resume: too few");
        assertNotNull(RolloutSteps.budgetTripped(r, b, counts(35, 5)), "3 of 20 since the resume");
    }

    private static RolloutApi.Counts counts(long succeeded, long failed) {
        return new RolloutApi.Counts(0, 0, succeeded, failed, 0, 0, 0, 0);
    }
}
