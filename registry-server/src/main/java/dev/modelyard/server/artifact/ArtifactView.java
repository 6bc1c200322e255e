package dev.modelyard.server.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An artifact as the API shows it.
 *
 * @param optimized whether a conversion profile that optimizes for speed made it: devices that can
 *                  run it get it before an unoptimized file of the same target and precision
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArtifactView(UUID id, String model, String version, String filename, String sha256, long size,
                           String mediaType, TargetDescriptor target, String origin, boolean optimized, Lineage lineage,
                           Map<String, Object> metadata, Instant createdAt, String createdBy, String contentUrl,
                           String signedMetadataUrl) {

    /** How a converted artifact was made; absent for uploads. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lineage(UUID sourceArtifactId, String converter, String converterVersion, Map<String, Object> parameters) {
    }

    /** The artifact's own URL (its metadata). */
    public String url() {
        return contentUrl.substring(0, contentUrl.length() - "/content".length());
    }

    static ArtifactView of(Artifact a) {
        String base = "/api/v1/models/" + a.version.model.name + "/versions/" + a.version.version + "/artifacts/" + a.id;
        Lineage lineage = a.origin == Artifact.Origin.CONVERTED
                ? new Lineage(a.sourceArtifactId, a.converter, a.converterVersion, a.converterParams) : null;
        return new ArtifactView(a.id, a.version.model.name, a.version.version, a.filename, a.sha256, a.size,
                a.mediaType, a.target(), a.origin.name().toLowerCase(java.util.Locale.ROOT), a.optimized, lineage, a.metadata,
                a.createdAt, a.createdBy, base + "/content", a.version.status.isDeployable() ? base + "/signed-metadata" : null);
    }
}
