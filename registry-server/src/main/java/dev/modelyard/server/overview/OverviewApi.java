package dev.modelyard.server.overview;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/** The dashboard's read model: the fleet at a glance. */
public final class OverviewApi {

    private OverviewApi() {
    }

    /**
     * @param models  per-model version distribution; null when the token may not read models
     * @param rollouts active rollouts; null when the token may not read rollouts
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Overview(Devices devices, List<ModelDistribution> models, List<ActiveRollout> rollouts,
                           List<Failure> recentFailures, Instant at) {
    }

    /**
     * Devices by state. {@code error}: the last action failed; {@code online}: not in error and polled
     * within {@code onlineWindowSeconds}; {@code offline}: not in error and not polled within it (or never).
     */
    public record Devices(long total, long online, long offline, long error, long onlineWindowSeconds) {
    }

    /** One model's installed versions across the fleet, most devices first; {@code other} sums the rest. */
    public record ModelDistribution(String model, long devices, List<VersionCount> versions, long other) {
    }

    public record VersionCount(String version, long devices) {
    }

    /**
     * A rollout in progress. {@code failedPct}: failed / executed since the last resume, in percent;
     * {@code allowedPct}: the failure budget's maximum; {@code burnPct}: failedPct / allowedPct × 100 (null
     * without a budget). Counts are from the rollout's latest progress sample.
     */
    public record ActiveRollout(long id, String name, String state, String model, String version, Integer totalDevices,
                                long pending, long running, long succeeded, long failed, long cancelled,
                                Double failedPct, Double allowedPct, Double burnPct) {
    }

    /** A failed action: {@code reason} is the device's last feedback message (or the server's reason). */
    public record Failure(long action, String device, String model, String version, String reason, Instant at) {
    }
}
