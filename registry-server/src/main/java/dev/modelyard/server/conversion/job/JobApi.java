package dev.modelyard.server.conversion.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.conversion.profile.ChainSpec;
import dev.modelyard.server.conversion.profile.StepSpec;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Request and response bodies of the conversion job endpoints. */
public final class JobApi {

    private JobApi() {
    }

    /**
     * Convert a published version: either by profiles ({@code profiles}; omitted or empty with no
     * {@code steps} means every enabled profile) or by an ad-hoc chain ({@code name}, {@code steps},
     * {@code target}, optional {@code tolerance}, {@code timeoutSeconds}, {@code maxAttempts}).
     * {@code source} (artifact id or filename) overrides the source rule; {@code optimized} as in a profile.
     */
    public record ConversionRequest(List<String> profiles, String name, List<StepSpec> steps, TargetDescriptor target,
                                    ChainSpec.Tolerance tolerance, Integer timeoutSeconds, Integer maxAttempts,
                                    String source, Boolean optimized) {
        boolean adHoc() {
            return steps != null;
        }

        ChainSpec chain() {
            return new ChainSpec(steps, target, tolerance, timeoutSeconds, maxAttempts, optimized);
        }
    }

    /** The jobs a request maps to; {@code created} counts the new ones, the others already existed. */
    public record Requested(int created, List<JobView> jobs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JobView(long id, String model, String version, String profile, String status, int attempts,
                          int maxAttempts, Instant nextRunAt, boolean cancelRequested, String filename,
                          UUID sourceArtifactId, UUID resultArtifactId, String resultUrl, String error,
                          List<StepSpec> steps, TargetDescriptor target, ChainSpec.Tolerance tolerance,
                          int timeoutSeconds, String idempotencyKey, Map<String, Object> result, Instant createdAt,
                          Instant startedAt, Instant finishedAt, Instant updatedAt, String createdBy) {
    }

    public record LogLine(long id, Instant at, String line) {
    }
}
