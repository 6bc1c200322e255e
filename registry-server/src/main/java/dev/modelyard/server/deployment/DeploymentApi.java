package dev.modelyard.server.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
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

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActionView(long id, String device, String model, String version, String requested, String type,
                             String status, boolean active, ArtifactRef artifact, String reason, Instant createdAt,
                             Instant updatedAt, String createdBy) {
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
