package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Fleet rollouts ({@code /api/v1/rollouts}): a version sent to the devices a filter (or a device
 * group) matches, in phases with bake times, success thresholds, health gates and approvals, within
 * a failure budget. Durations are ISO-8601 text ({@code PT10M}); fields left null are not sent, so
 * the server applies its defaults.
 */
public final class Rollouts extends Area {

    /**
     * A health gate of a phase: the serving health its devices report must be within these bounds.
     *
     * @param timeout how long to wait for enough data before the rollout pauses
     */
    public record Gate(Double maxErrorRate, Double maxP99Ratio, Double maxP99Ms, Boolean requireSelfTest,
                       Integer minDevices, Long minRequests, String timeout) {
    }

    /**
     * A phase as requested and as shown; the view fills the fields after {@code gate}.
     *
     * @param size a share of the matching devices ({@code "10%"}) or a count ({@code "50"}); the last phase takes all that remain
     */
    public record Phase(String name, String size, String bake, Double minSuccessPct, Integer minSamples, Boolean approval,
                        Gate gate, String state, Integer devices, Counts counts, Double successPct,
                        Map<String, Object> health, GateVerdict gateVerdict, String approvedBy, Instant startedAt,
                        Instant finishedAt, Integer index) {

        /** A phase of {@code percent} % of the matching devices. */
        public static Phase percent(String name, int percent) {
            return new Phase(name, percent + "%", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        /** A phase of {@code count} devices. */
        public static Phase count(String name, int count) {
            return new Phase(name, Integer.toString(count), null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        public Phase bake(String bake) {
            return new Phase(name, size, bake, minSuccessPct, minSamples, approval, gate, null, null, null, null, null, null, null, null, null, null);
        }

        public Phase success(double minSuccessPct, int minSamples) {
            return new Phase(name, size, bake, minSuccessPct, minSamples, approval, gate, null, null, null, null, null, null, null, null, null, null);
        }

        public Phase needsApproval() {
            return new Phase(name, size, bake, minSuccessPct, minSamples, true, gate, null, null, null, null, null, null, null, null, null, null);
        }

        public Phase gate(Gate gate) {
            return new Phase(name, size, bake, minSuccessPct, minSamples, approval, gate, null, null, null, null, null, null, null, null, null, null);
        }
    }

    /** How a gate judged a phase: pass, fail or inconclusive. */
    public record GateVerdict(String outcome, String reason, Instant at) {
    }

    /**
     * The rollout-wide failure budget; the view adds how much of it is burnt.
     *
     * @param onFailure pause or rollback
     */
    public record FailureBudget(Double maxFailurePct, Integer minExecuted, String onFailure, Long executed, Long failed,
                                Double burnPct) {
        public static FailureBudget of(double maxFailurePct, int minExecuted, String onFailure) {
            return new FailureBudget(maxFailurePct, minExecuted, onFailure, null, null, null);
        }
    }

    /**
     * Assignments per minute, optionally multiplied by {@code growthFactor} every {@code growEvery}; the
     * view adds the pace now.
     */
    public record Rate(Integer maxPerMinute, Double growthFactor, String growEvery, Integer currentPerMinute) {
        public static Rate of(int maxPerMinute) {
            return new Rate(maxPerMinute, null, null, null);
        }
    }

    public record Schedule(Instant startAt, Instant endAt) {
    }

    /** A 5-field cron schedule, how long each window lasts, and its zone (null: each device's own). */
    public record MaintenanceWindow(String schedule, String duration, String zone) {
    }

    /** Devices per state. */
    public record Counts(long pending, long running, long succeeded, long failed, long cancelled, long rollingBack,
                         long rolledBack, long rollbackFailed) {
    }

    /**
     * A new rollout. Exactly one of {@code filter} and {@code group}.
     *
     * @param type  forced (default), soft or downloadonly
     * @param start true: start at once (or wait for approval or the start time)
     */
    public record NewRollout(String name, String description, String model, String version, String filter, String group,
                             String type, Boolean lowPrecision, List<Phase> phases, FailureBudget failureBudget, Rate rate,
                             Schedule schedule, MaintenanceWindow maintenanceWindow, Boolean dynamic, Integer maxDevices,
                             Boolean approval, Boolean start) {

        /** {@code model}/{@code version} to the devices matching {@code filter}, in one phase of 100 %, as a draft. */
        public static NewRollout of(String name, String model, String version, String filter) {
            return new NewRollout(name, null, model, version, filter, null, null, null, null, null, null, null, null,
                    null, null, null, null);
        }

        public NewRollout phases(Phase... phases) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, List.of(phases),
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, start);
        }

        public NewRollout failureBudget(FailureBudget budget) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    budget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, start);
        }

        public NewRollout rate(Rate rate) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, start);
        }

        public NewRollout schedule(Schedule schedule) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, start);
        }

        public NewRollout maintenanceWindow(MaintenanceWindow window) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, window, dynamic, maxDevices, approval, start);
        }

        public NewRollout dynamic(Integer maxDevices) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, true, maxDevices, approval, start);
        }

        public NewRollout type(String type) {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, start);
        }

        public NewRollout needsApproval() {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, true, start);
        }

        /** Starts at once when created. */
        public NewRollout started() {
            return new NewRollout(name, description, model, version, filter, group, type, lowPrecision, phases,
                    failureBudget, rate, schedule, maintenanceWindow, dynamic, maxDevices, approval, true);
        }
    }

    /**
     * A rollout as the server shows it.
     *
     * @param requested   the version or alias asked for; {@code version} is what it resolved to
     * @param state       draft, waiting-for-approval, scheduled, running, paused, succeeded, failed, cancelled,
     *                    rolling-back or rolled-back
     * @param currentPhase index of the phase under way, or null
     */
    public record Rollout(long id, String name, String description, String model, String version, String requested,
                          String filter, String group, String type, Boolean lowPrecision, String state, String stateReason,
                          Boolean approval, String approvedBy, Boolean dynamic, Integer maxDevices, Long totalDevices,
                          Integer currentPhase, List<Phase> phases, FailureBudget failureBudget, Rate rate,
                          Schedule schedule, MaintenanceWindow maintenanceWindow, Counts counts, Instant createdAt,
                          String createdBy, Instant startedAt, Instant finishedAt) {
    }

    /**
     * One device of a rollout.
     *
     * @param state pending, running, succeeded, failed, cancelled, rolling-back, rolled-back or rollback-failed
     */
    public record RolloutDevice(String device, Integer phase, String state, Long actionId, String previousVersion,
                                Long rollbackActionId, String reason, Instant updatedAt) {
    }

    /** One point of the progress time series. */
    public record Sample(Instant at, Integer phase, long pending, long running, long succeeded, long failed, long cancelled,
                         long rollingBack, long rolledBack) {
    }

    /** One entry of the rollout's history. */
    public record Event(Instant at, String kind, Integer phase, String message, String by) {
    }

    /** Filters of the device list of a rollout; null means no filter. */
    public record DeviceFilter(Integer phase, String state, Integer page, Integer size) {
        public static DeviceFilter all() {
            return new DeviceFilter(null, null, null, 500);
        }
    }

    Rollouts(Transport t) {
        super(t);
    }

    public Rollout create(NewRollout rollout) {
        return t.call("POST", "/api/v1/rollouts", rollout, Rollout.class);
    }

    public Page<Rollout> list(String state, Integer page, Integer size) {
        return t.page(Query.path("/api/v1/rollouts").param("state", state).page(page, size), Rollout.class);
    }

    public Rollout get(long id) {
        return t.get(Query.path("/api/v1/rollouts/{}", id), Rollout.class);
    }

    /** Deletes a draft or finished rollout. */
    public void delete(long id) {
        t.delete(Query.path("/api/v1/rollouts/{}", id));
    }

    public Rollout start(long id) {
        return action(id, "start");
    }

    /** Approves the rollout, or the phase waiting for approval; the creator may not. */
    public Rollout approve(long id) {
        return action(id, "approve");
    }

    public Rollout pause(long id) {
        return action(id, "pause");
    }

    public Rollout resume(long id) {
        return action(id, "resume");
    }

    /** Stops assigning and cancels the rollout's open actions. */
    public Rollout cancel(long id) {
        return action(id, "cancel");
    }

    /** Rolls every device the rollout touched back to the version it had before. */
    public Rollout rollback(long id) {
        return action(id, "rollback");
    }

    public Page<RolloutDevice> devices(long id, DeviceFilter f) {
        return t.page(Query.path("/api/v1/rollouts/{}/devices", id).param("phase", f.phase()).param("state", f.state())
                .page(f.page(), f.size()), RolloutDevice.class);
    }

    public List<Sample> progress(long id) {
        return t.list(Query.path("/api/v1/rollouts/{}/progress", id), Sample.class);
    }

    public List<Event> events(long id) {
        return t.list(Query.path("/api/v1/rollouts/{}/events", id), Event.class);
    }

    private Rollout action(long id, String what) {
        return t.call("POST", Query.path("/api/v1/rollouts/{}/" + what, id), null, Rollout.class);
    }
}
