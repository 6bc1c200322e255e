package dev.modelyard.server.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.health.ActionHealthView;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
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
     * @param type         forced (default), soft or downloadonly
     * @param lowPrecision prefer lower-precision artifacts among those a device can run
     */
    public record Assign(String model, String version, String device, List<String> devices, String tag, String type,
                         Boolean lowPrecision) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ArtifactRef(UUID id, String filename, String sha256, long size, TargetDescriptor target) {
    }

    /**
     * An action. {@code health} (in the answer for one action, not in lists): the newest serving
     * health the device reported for each model of the action; absent when it reported none.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActionView(long id, String device, String model, String version, String requested, String type,
                             String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                             Instant updatedAt, String createdBy, List<ActionHealthView> health) {

        public ActionView(long id, String device, String model, String version, String requested, String type,
                          String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                          Instant updatedAt, String createdBy) {
            this(id, device, model, version, requested, type, status, active, artifact, reason, createdAt, updatedAt,
                    createdBy, null);
        }

        /** This view with the health reports; none leaves the member out. */
        public ActionView withHealth(List<ActionHealthView> reports) {
            return new ActionView(id, device, model, version, requested, type, status, active, artifact, reason, createdAt,
                    updatedAt, createdBy, reports == null || reports.isEmpty() ? null : List.copyOf(reports));
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
