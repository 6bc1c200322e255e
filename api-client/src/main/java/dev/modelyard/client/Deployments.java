package dev.modelyard.client;

import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Assigning versions to devices, and the actions that carry them out. */
public final class Deployments extends Area {

    /**
     * Whom to assign {@code model}/{@code version} (a version or an alias) to: one device, a list, or
     * every device with a tag.
     *
     * @param type              forced (the default), soft or downloadonly
     * @param rollback          true: the version may be older than the one devices run; it goes with a signed
     *                          rollback authorization (needs rollouts:rollback)
     * @param maintenanceWindow when devices may install (they download at once); null: at any time
     */
    public record Assign(String model, String version, String device, List<String> devices, String tag, String type,
                         Boolean lowPrecision, Boolean rollback, Window maintenanceWindow) {

        public Assign(String model, String version, String device, List<String> devices, String tag, String type,
                      Boolean lowPrecision) {
            this(model, version, device, devices, tag, type, lowPrecision, null, null);
        }

        public static Assign toDevice(String model, String version, String device) {
            return new Assign(model, version, device, null, null, null, null);
        }

        /** The same assignment as a rollback: an older release, with a signed authorization. */
        public Assign asRollback() {
            return new Assign(model, version, device, devices, tag, type, lowPrecision, true, maintenanceWindow);
        }

        /** The same assignment, installed only in the window. */
        public Assign within(Window window) {
            return new Assign(model, version, device, devices, tag, type, lowPrecision, rollback, window);
        }
    }

    /**
     * A maintenance window: opens at each time of the 5-field cron {@code schedule}, stays open for
     * {@code duration} (ISO-8601, such as PT4H), read in {@code zone} (IANA) or, when null, in the
     * zone the device reports.
     */
    public record Window(String schedule, String duration, String zone) {
    }

    public record ArtifactRef(UUID id, String filename, String sha256, long size, TargetDescriptor target) {
    }

    /** An action; {@code health} only in the answer for one action, and only once its device reported serving health. */
    public record Action(long id, String device, String model, String version, String requested, String type,
                         String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                         Instant updatedAt, String createdBy, Boolean rollback, Window maintenanceWindow,
                         List<Health> health) {
    }

    /**
     * The newest serving health the device reported for one model of an action: requests, errors,
     * latencies (ms) and the ratio of its p99 to the replaced version's, the self-test outcome, and
     * whether the figures are final ({@code complete}).
     */
    public record Health(String model, String version, String replacedVersion, long servedSeconds, long requests,
                         long errors, Double errorRate, Double p50Ms, Double p99Ms, Double baselineP99Ms, Double p99Ratio,
                         String selfTest, boolean complete, Instant reportedAt) {
    }

    /** @param actions the first 100 actions; the counts cover all */
    public record Assignment(int assigned, int alreadyAssigned, int failed, List<Action> actions) {
    }

    public record Status(long id, String type, Integer code, List<String> messages, Instant occurredAt,
                         Instant reportedAt) {
    }

    /** Filters of the action list; null means no filter. */
    public record Filter(String device, String model, String status, Boolean active, Integer page, Integer size) {
        public static Filter device(String controllerId) {
            return new Filter(controllerId, null, null, null, null, null);
        }
    }

    Deployments(Transport t) {
        super(t);
    }

    public Assignment assign(Assign assign) {
        return t.call("POST", "/api/v1/deployments", assign, Assignment.class);
    }

    public Page<Action> actions(Filter f) {
        return t.page(Query.path("/api/v1/actions").param("device", f.device()).param("model", f.model())
                .param("status", f.status()).param("active", f.active()).page(f.page(), f.size()), Action.class);
    }

    public Action action(long id) {
        return t.get(Query.path("/api/v1/actions/{}", id), Action.class);
    }

    /** What the device reported about the action, oldest first. */
    public List<Status> statuses(long id) {
        return t.list(Query.path("/api/v1/actions/{}/status", id), Status.class);
    }

    /** Asks the device to cancel; {@code force} closes the action without waiting for it. */
    public Action cancel(long id, boolean force) {
        return t.call("POST", Query.path("/api/v1/actions/{}/cancel", id).param("force", force ? true : null), null, Action.class);
    }
}
