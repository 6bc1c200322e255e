package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.MaintenanceWindow;
import dev.modelyard.server.health.HealthGate;
import java.time.Duration;
import java.time.Instant;

/** A rollout's validated settings, as stored (JSON) with the rollout and its phases. */
final class RolloutSpec {

    private RolloutSpec() {
    }

    /** What the rollout row keeps beside its columns. Null members: not set. */
    record Options(FailureBudget failureBudget, Rate rate, Schedule schedule, MaintenanceWindow maintenanceWindow) {
    }

    enum OnFailure {
        PAUSE, ROLLBACK;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Trips when at least {@code minExecuted} devices executed and more than {@code maxFailurePct} of them failed. */
    record FailureBudget(double maxFailurePct, int minExecuted, OnFailure onFailure) {
    }

    /**
     * At most {@code maxPerMinute} assignments a minute, multiplied by {@code growthFactor} every
     * {@code growEvery} since the rollout started (exponential growth, as AWS IoT jobs).
     */
    record Rate(int maxPerMinute, double growthFactor, Duration growEvery) {

        /** The limit a minute at {@code now}; never above {@link Integer#MAX_VALUE}. */
        int perMinuteAt(Instant startedAt, Instant now) {
            if (growthFactor <= 1.0 || growEvery == null || startedAt == null) return maxPerMinute;
            long steps = Math.max(0, Duration.between(startedAt, now).toMillis() / Math.max(1, growEvery.toMillis()));
            double limit = maxPerMinute * Math.pow(growthFactor, Math.min(steps, 64));
            return limit >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) limit;
        }
    }

    record Schedule(Instant startAt, Instant endAt) {
    }

    /**
     * One phase. {@code size}: "n%" of the devices matching when the rollout starts, or a count
     * "n"; the last phase takes every device that remains whatever its size says.
     */
    record Phase(String name, String size, Duration bake, double minSuccessPct, int minSamples, boolean approval,
                 HealthGate gate) {

        /** How many devices the phase selects out of {@code total} matching at start. */
        int devicesOf(int total) {
            if (size.endsWith("%")) {
                double pct = Double.parseDouble(size.substring(0, size.length() - 1));
                int n = (int) Math.ceil(total * pct / 100.0 - 1e-9);
                return total > 0 && pct > 0 ? Math.max(1, n) : 0;
            }
            return Integer.parseInt(size);
        }
    }
}
