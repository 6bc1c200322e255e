package dev.modelyard.server.device;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.health.ActionHealthView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Request and response bodies of the device management API. */
public final class DeviceApi {

    private DeviceApi() {
    }

    /** @param attributes optional initial attributes (normally the device reports them itself) */
    public record CreateDevice(String controllerId, String name, String description, Set<String> tags,
                               Map<String, String> attributes) {
    }

    /** Fields left null are kept. */
    public record PatchDevice(String name, String description, Set<String> tags) {
    }

    /** A model the device runs, from its last successful action; {@code health}: the last serving health it reported for it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Installed(String model, String version, long actionId, Instant installedAt, ActionHealthView health) {

        public Installed(String model, String version, long actionId, Instant installedAt) {
            this(model, version, actionId, installedAt, null);
        }
    }

    /** {@code token} is present only in the answer that creates or rotates it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceView(String controllerId, String name, String description, String status, Set<String> tags,
                             Map<String, String> attributes, List<Installed> installed, Instant lastSeenAt,
                             String tokenHint, Instant createdAt, Instant updatedAt, String createdBy, String token) {

        public DeviceView withToken(String secret) {
            return new DeviceView(controllerId, name, description, status, tags, attributes, installed, lastSeenAt,
                    tokenHint, createdAt, updatedAt, createdBy, secret);
        }
    }
}
