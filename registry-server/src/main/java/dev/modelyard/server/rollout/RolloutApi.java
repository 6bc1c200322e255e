package dev.modelyard.server.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.health.HealthGate;
import dev.modelyard.server.health.PhaseHealth;
import java.time.Instant;
import java.util.List;

/** Request and response bodies of the rollout endpoints. Durations are ISO-8601 (PT10M), times ISO-8601 instants. */
public final class RolloutApi {

    private RolloutApi() {
    }

    /**
     * A new rollout. Exactly one of {@code filter} and {@code group}. {@code version}: a number, an
     * alias or latest, resolved now.
     *
     * @param type     forced (default), soft or downloadonly
     * @param phases   default: one phase of 100%
     * @param approval a second person must approve before the rollout starts
     * @param start    start at once (or wait for approval, or for startAt)
     */
    public record Create(String name, String description, String model, String version, String filter, String group,
                         String type, Boolean lowPrecision, List<PhaseRequest> phases, FailureBudgetRequest failureBudget,
                         RateRequest rate, ScheduleRequest schedule, WindowRequest maintenanceWindow, Boolean dynamic,
                         Integer maxDevices, Boolean approval, Boolean start) {
    }

    /**
     * @param size          "10%" of the devices matching at start, or a count ("50" or 50); the last phase takes all that remain
     * @param bake          how long after its last assignment the phase waits for enough results (default PT0S)
     * @param minSuccessPct succeeded / executed × 100 the phase needs (default 100)
     * @param minSamples    executed devices the phase needs before the bake time can end it (default 1)
     * @param approval      the phase waits for an approval before it starts
     */
    public record PhaseRequest(String name, String size, String bake, Double minSuccessPct, Integer minSamples,
                               Boolean approval, GateRequest gate) {
    }

    /** A health gate; see the health feature. {@code timeout}: how long it waits for enough data (default PT30M). */
    public record GateRequest(Double maxErrorRate, Double maxP99Ratio, Double maxP99Ms, Boolean requireSelfTest,
                              Integer minDevices, Long minRequests, String timeout) {
    }

    /** @param onFailure pause (default) or rollback */
    public record FailureBudgetRequest(Double maxFailurePct, Integer minExecuted, String onFailure) {
    }

    /** @param growthFactor multiplies maxPerMinute every growEvery (default 1: no growth) */
    public record RateRequest(Integer maxPerMinute, Double growthFactor, String growEvery) {
    }

    public record ScheduleRequest(String startAt, String endAt) {
    }

    /** A cron schedule (5 fields), how long each window lasts, and an IANA zone (null: the device's). */
    public record WindowRequest(String schedule, String duration, String zone) {
    }

    // ---- views ------------------------------------------------------------------------------

    public record Counts(long pending, long running, long succeeded, long failed, long cancelled, long rollingBack,
                         long rolledBack, long rollbackFailed) {

        static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0);

        long executed() {
            return succeeded + failed;
        }

        Counts plus(Counts o) {
            return new Counts(pending + o.pending, running + o.running, succeeded + o.succeeded, failed + o.failed,
                    cancelled + o.cancelled, rollingBack + o.rollingBack, rolledBack + o.rolledBack, rollbackFailed + o.rollbackFailed);
        }
    }

    /** @param burnPct how much of the budget the failures used: (failed / executed × 100) / maxFailurePct × 100 */
    public record FailureBudgetView(double maxFailurePct, int minExecuted, String onFailure, long executed, long failed,
                                    double burnPct) {
    }

    public record RateView(int maxPerMinute, double growthFactor, String growEvery, int currentPerMinute) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScheduleView(Instant startAt, Instant endAt) {
    }

    public record WindowView(String schedule, String duration, String zone) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GateVerdictView(String outcome, String reason, Instant at) {
    }

    /** A phase's health gate; see the health feature. {@code timeout} is an ISO-8601 duration. */
    public record GateView(Double maxErrorRate, Double maxP99Ratio, Double maxP99Ms, boolean requireSelfTest, int minDevices,
                           long minRequests, String timeout) {

        static GateView of(HealthGate g) {
            return g == null ? null : new GateView(g.maxErrorRate(), g.maxP99Ratio(), g.maxP99Ms(), g.requireSelfTest(),
                    g.minDevices(), g.minRequests(), g.timeout() == null ? null : g.timeout().toString());
        }
    }

    public record PhaseView(int index, String name, String size, String bake, double minSuccessPct, int minSamples,
                            boolean approval, GateView gate, String state, int devices, Counts counts, Double successPct,
                            PhaseHealth health, GateVerdictView gateVerdict, String approvedBy, Instant startedAt,
                            Instant finishedAt) {
    }

    /** @param transfer how its devices got the payload (in the answer for one rollout; lists leave it out as null) */
    public record RolloutView(long id, String name, String description, String model, String version, String requested,
                              String filter, String group, String type, boolean lowPrecision, String state,
                              String stateReason, boolean approval, String approvedBy, boolean dynamic, Integer maxDevices,
                              Integer totalDevices, int currentPhase, List<PhaseView> phases,
                              FailureBudgetView failureBudget, RateView rate, ScheduleView schedule,
                              WindowView maintenanceWindow, Counts counts, DeploymentApi.TransferTotals transfer, Instant createdAt,
                              String createdBy, Instant startedAt, Instant finishedAt) {
    }

    /**
     * One device of a rollout. {@code previousVersion}: what it ran before (what a rollback restores);
     * {@code lastMessage}: the first message of the newest entry of its action's history (the rollback
     * action's once there is one) that has any: the device's last feedback, e.g. why it failed, or else
     * the server's note of the assignment; null when there is none.
     */
    public record DeviceView(String device, int phase, String state, Long actionId, String previousVersion,
                             Long rollbackActionId, String reason, String lastMessage, Instant updatedAt) {
    }

    public record Sample(Instant at, int phase, int pending, int running, int succeeded, int failed, int cancelled,
                         int rollingBack, int rolledBack) {
    }

    public record Event(Instant at, String kind, Integer phase, String message, String by) {
    }
}
