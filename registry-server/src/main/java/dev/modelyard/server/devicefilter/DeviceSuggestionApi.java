package dev.modelyard.server.devicefilter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Response bodies of the filter builder's suggestions. */
public final class DeviceSuggestionApi {

    private DeviceSuggestionApi() {
    }

    /**
     * @param kind      text, status, tag, time, attribute or installed: which operators and values apply
     * @param operators the operators the selector takes, canonical spelling
     * @param devices   how many devices have it (reported the attribute, run the model, have a tag); absent when not counted
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Selector(String selector, String kind, List<String> operators,
                           @Schema(description = "How many devices have it; absent when not counted") Long devices,
                           String description) {
    }

    /**
     * @param devices    the tenant's devices
     * @param computedAt when the counts were taken (they are reused for up to 30 s)
     */
    public record Selectors(long devices, List<Selector> selectors, Instant computedAt) {
    }

    /** @param devices how many devices have this value; absent when not counted */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Value(String value, @Schema(description = "How many devices have this value; absent when not counted") Long devices) {
    }

    /**
     * @param more       more values matched than were listed (or rarer values were not counted)
     * @param computedAt when the counts were taken (they are reused for up to 30 s)
     */
    public record Values(String selector, String prefix, List<Value> values, boolean more, Instant computedAt) {
    }

    /**
     * A filter checked without an error status, for previews that check as the user types: valid
     * with its count, or the problem the filter would get elsewhere (400 {@code invalid-filter}).
     *
     * @param count   how many devices match; absent when invalid or not asked for
     * @param problem why the filter is refused: the same members as the problem a list or count answers
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FilterCheck(boolean valid,
                              @Schema(description = "How many devices match; absent when invalid or not asked for") Long count,
                              @Schema(description = "Why the filter is refused (code, detail, offset, accepted)") FilterProblem problem) {
    }

    /** The members of an {@code invalid-filter} problem. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FilterProblem(String code, String detail, String parameter, Integer offset, List<String> accepted) {
    }
}
