package dev.modelyard.manifests;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The typed {@code spec} of each kind, as its schema defines it. Absent fields are null; the
 * server fills defaults as its API does. The field names are the management API's, so a spec is
 * the body of the matching request without the name (which is {@code metadata.name}).
 */
public final class Specs {

    private Specs() {
    }

    /** A model. {@code aliases}: alias to version number; aliases not listed are left as they are. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelSpec(String description, String task, String framework, Map<String, String> labels,
                            Map<String, String> aliases) {
    }

    /** A conversion profile (the conversion API's profile body); {@code steps} and {@code target} as that API takes them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetProfileSpec(String description, Boolean enabled, List<Map<String, Object>> steps,
                                    Map<String, Object> target, Tolerance tolerance, Integer timeoutSeconds,
                                    Integer maxAttempts, Boolean optimized) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tolerance(Double maxAbsError, Double minCosine) {
    }

    /** A device group: a saved device filter. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceGroupSpec(String description, String filter) {
    }

    /**
     * A rollout (the rollout API's create body without the name). {@code start}: start when apply
     * creates it; absent or false creates a draft.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RolloutSpec(String description, String model, String version, String group, String filter, String type,
                              Boolean lowPrecision, List<Phase> phases, FailureBudget failureBudget, Rate rate,
                              Schedule schedule, Window maintenanceWindow, Boolean dynamic, Integer maxDevices,
                              Boolean approval, Boolean start) {
    }

    /** {@code size}: "10%" or a count, written as a string or a number. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phase(String name, JsonNode size, String bake, Double minSuccessPct, Integer minSamples, Boolean approval,
                        Gate gate) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Gate(Double maxErrorRate, Double maxP99Ratio, Double maxP99Ms, Boolean requireSelfTest, Integer minDevices,
                       Long minRequests, String timeout) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailureBudget(Double maxFailurePct, Integer minExecuted, String onFailure) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rate(Integer maxPerMinute, Double growthFactor, String growEvery) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Schedule(String startAt, String endAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(String schedule, String duration, String zone) {
    }
}
