package dev.modelyard.server.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.wire.IoSignature;
import java.time.Instant;
import java.util.Map;

/** Request and response bodies of the model, version and alias endpoints. */
public final class ModelApi {

    private ModelApi() {
    }

    public record CreateModel(String name, String description, String task, String framework,
                              Map<String, String> labels) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelView(String name, String description, String task, String framework,
                            Map<String, String> labels, Map<String, String> aliases, String latestVersion,
                            Instant createdAt, Instant updatedAt, String createdBy) {
    }

    public record CreateVersion(String version, String changelog, Map<String, Double> metrics,
                                Map<String, Object> lineage, IoSignature ioSignature, Map<String, Object> selfTest) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(String model, String version, VersionStatus status, String changelog,
                              Map<String, Double> metrics, Map<String, Object> lineage, IoSignature ioSignature,
                              Map<String, Object> selfTest, String selfTestSha256, long artifactCount, Long releaseCounter,
                              Instant createdAt, String createdBy,
                              Instant updatedAt, Instant publishedAt) {
    }

    public record SetAlias(String version) {
    }

    public record AliasView(String model, String name, String version, Instant updatedAt, String updatedBy) {
    }
}
