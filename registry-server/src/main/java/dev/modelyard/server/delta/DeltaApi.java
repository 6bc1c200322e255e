package dev.modelyard.server.delta;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/** Request and response bodies of the delta endpoints. */
public final class DeltaApi {

    private DeltaApi() {
    }

    /**
     * Build a delta from a base to this artifact: the base is a version of the same model
     * ({@code baseVersion}: its artifact of the same target, else of the same format) or a file
     * by digest ({@code baseSha256}: an artifact of this model). Exactly one of them.
     */
    public record DeltaRequest(String baseVersion, String baseSha256) {
    }

    /** Where a base's bytes came from when the delta was requested. */
    public record BaseArtifact(String model, String version, String filename) {
    }

    /**
     * A delta and its lineage. {@code baseSha256} null: the compressed full file. {@code ratio}:
     * its size over the target's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeltaView(UUID id, UUID targetArtifactId, String targetSha256, String baseSha256, BaseArtifact base,
                            String method, int format, String status, Long size, long targetSize, Double ratio,
                            Long buildMillis, String requestedBy, int attempts, String error, Instant createdAt,
                            Instant builtAt, Instant notBefore) {
    }
}
