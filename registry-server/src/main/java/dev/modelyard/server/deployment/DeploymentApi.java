package dev.modelyard.server.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.health.ActionHealthView;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Request and response bodies of the deployment and action endpoints. */
public final class DeploymentApi {

    private DeploymentApi() {
    }

    /**
     * Assign {@code version} (a number, an alias or latest) of {@code model} to one device, a
     * list of devices, or every device with a tag: exactly one of {@code device}, {@code devices},
     * {@code tag}.
     *
     * @param type              forced (default), soft or downloadonly
     * @param lowPrecision      prefer lower-precision artifacts among those a device can run
     * @param rollback          true: the version may be older than what devices run; it goes with a signed
     *                          rollback authorization for exactly this release (needs rollouts:rollback)
     * @param maintenanceWindow when devices may install (they download at once); none: at any time
     */
    public record Assign(String model, String version, String device, List<String> devices, String tag, String type,
                         Boolean lowPrecision, Boolean rollback, Window maintenanceWindow) {

        /** Without a rollback or a window, as most callers assign. */
        public Assign(String model, String version, String device, List<String> devices, String tag, String type,
                      Boolean lowPrecision) {
            this(model, version, device, devices, tag, type, lowPrecision, null, null);
        }
    }

    /**
     * A maintenance window: it opens at each time the 5-field cron {@code schedule} names (such as
     * {@code "0 22 * * *"}) and stays open for {@code duration} (ISO-8601, such as {@code "PT4H"},
     * at most 7 days), read in {@code zone} (an IANA name such as {@code Europe/Berlin}), or in the
     * zone the device reports when it is left out (UTC when the device reports none).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(String schedule, String duration, String zone) {

        /** The validated window; errors name the field under {@code field}. */
        public MaintenanceWindow toWindow(String field) {
            java.time.Duration d = null;
            if (duration != null) {
                try {
                    d = java.time.Duration.parse(duration.strip());
                } catch (java.time.format.DateTimeParseException e) {
                    throw dev.modelyard.server.error.DomainException.field(dev.modelyard.server.error.ErrorCode.INVALID_FIELD,
                            field + ".duration", field + ".duration: '" + duration + "' is not an ISO-8601 duration (such as \"PT4H\")");
                }
            }
            return new MaintenanceWindow(schedule, d, zone).validated(field);
        }

        public static Window of(MaintenanceWindow w) {
            return w == null ? null : new Window(w.schedule(), w.duration().toString(), w.zone());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ArtifactRef(UUID id, String filename, String sha256, long size, TargetDescriptor target) {
    }

    /**
     * An action. {@code health} (in the answer for one action, not in lists): the newest serving
     * health the device reported for each model of the action; absent when it reported none.
     * {@code transfer}: how the device got the payload, as it last reported; absent when it
     * reported nothing (stock hawkBit clients never do).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActionView(long id, String device, String model, String version, String requested, String type,
                             String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                             Instant updatedAt, String createdBy, Boolean rollback, Window maintenanceWindow,
                             TransferView transfer, List<ActionHealthView> health) {

        public ActionView(long id, String device, String model, String version, String requested, String type,
                          String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                          Instant updatedAt, String createdBy, Boolean rollback, Window maintenanceWindow,
                          TransferView transfer) {
            this(id, device, model, version, requested, type, status, active, artifact, reason, createdAt, updatedAt,
                    createdBy, rollback, maintenanceWindow, transfer, null);
        }

        /** This view with the health reports; none leaves the member out. */
        public ActionView withHealth(List<ActionHealthView> reports) {
            return new ActionView(id, device, model, version, requested, type, status, active, artifact, reason, createdAt,
                    updatedAt, createdBy, rollback, maintenanceWindow, transfer,
                    reports == null || reports.isEmpty() ? null : List.copyOf(reports));
        }
    }

    /**
     * How a device got an action's payload (its feedback extension {@code modelyardTransfers}).
     *
     * @param kind       full, compressed (a compressed full file) or delta (from a file it held)
     * @param method     the delta's encoder (onnx-tensors, cdc, planes, …); absent for full
     * @param bytes      bytes the device downloaded, every attempt included (a failed delta too)
     * @param fullBytes  the payload's size: what a full download costs
     * @param savedBytes fullBytes − bytes (negative when a failed attempt cost more than it saved)
     * @param savedPct   savedBytes / fullBytes × 100, one decimal; absent for an empty payload
     * @param fallback   why the device gave up a cheaper way (a failed delta names its base); absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TransferView(String kind, String method, long bytes, long fullBytes, long savedBytes, Double savedPct,
                               String fallback) {

        /** (fullBytes − bytes) / fullBytes × 100, one decimal; null when there is nothing to compare with. */
        public static Double savedPct(long bytes, long fullBytes) {
            return fullBytes == 0 ? null : Math.round(1000.0 * (fullBytes - bytes) / fullBytes) / 10.0;
        }
    }

    /**
     * The transfer figures devices reported on a set of actions (the DDI feedback extension
     * {@code modelyardTransfers}), summed: what they cost on the wire and what deltas and
     * compression saved. A rollout's are its actions'; a version's are those of all its actions,
     * plain deployments and rollouts alike.
     *
     * @param reported   actions whose device reported how it got the payload
     * @param bytes      bytes those devices downloaded
     * @param fullBytes  what full downloads would have cost them
     * @param savedBytes fullBytes − bytes
     * @param savedPct   savedBytes / fullBytes × 100, one decimal; null while nothing was reported
     * @param byKind     reporting actions by how they got it: full, compressed, delta
     */
    public record TransferTotals(long reported, long bytes, long fullBytes, long savedBytes, Double savedPct,
                                 Map<String, Long> byKind) {

        /**
         * The select list of one aggregate over reporting action rows that yields these figures, in
         * the order {@link #of} takes them: every caller sums the same way.
         */
        public static final String SUMS = """
                count(*), coalesce(sum(transfer_bytes), 0), coalesce(sum(transfer_full_bytes), 0),
                count(*) FILTER (WHERE transfer_kind = 'full'), count(*) FILTER (WHERE transfer_kind = 'compressed'),
                count(*) FILTER (WHERE transfer_kind = 'delta')""";

        /** The totals from the columns of {@link #SUMS}. */
        public static TransferTotals of(long reported, long bytes, long fullBytes, long full, long compressed, long delta) {
            Map<String, Long> byKind = new LinkedHashMap<>();
            byKind.put("full", full);
            byKind.put("compressed", compressed);
            byKind.put("delta", delta);
            return new TransferTotals(reported, bytes, fullBytes, fullBytes - bytes, TransferView.savedPct(bytes, fullBytes),
                    Collections.unmodifiableMap(byKind));
        }
    }

    /**
     * The outcome of an assignment; {@code actions} lists the first 100 actions, the counts cover all.
     *
     * @param assigned        new actions
     * @param alreadyAssigned the same open assignment existed
     * @param failed          actions created failed: no artifact fits, or the device's updater would refuse the
     *                        release counter (each action's reason says which)
     */
    public record Assignment(int assigned, int alreadyAssigned, int failed, List<ActionView> actions) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StatusView(long id, String type, Integer code, List<String> messages, Instant occurredAt, Instant reportedAt) {
    }
}
