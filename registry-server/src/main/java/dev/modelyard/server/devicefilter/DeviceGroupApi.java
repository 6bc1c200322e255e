package dev.modelyard.server.devicefilter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of the device group API. */
public final class DeviceGroupApi {

    private DeviceGroupApi() {
    }

    /** @param filter a device filter; required */
    public record CreateGroup(String name, String description, String filter) {
    }

    /** Replaces the group's description (null: none) and filter (required). */
    public record UpdateGroup(String description, String filter) {
    }

    /**
     * @param count         how many devices match now; absent when the filter no longer compiles
     * @param filterProblem why the filter no longer compiles (e.g. a model it names was deleted); absent otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GroupView(String name, String description, String filter,
                            @Schema(description = "How many devices match now; absent when the filter no longer compiles or the list was asked with `counts=false`") Long count,
                            @Schema(description = "Why the filter no longer compiles (e.g. a model it names was deleted)") String filterProblem,
                            Instant createdAt, Instant updatedAt, String createdBy) {
    }
}
