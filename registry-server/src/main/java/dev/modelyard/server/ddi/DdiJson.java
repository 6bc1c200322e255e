package dev.modelyard.server.ddi;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.json.WireJson;
import java.io.UncheckedIOException;

/**
 * JSON of the DDI API: the shared wire setup ({@link WireJson}) plus hawkBit's field order. Strict in what it writes (hawkBit's field names and order, nothing null),
 * liberal in what it reads (unknown fields ignored, e.g. the {@code id}/{@code time} of older
 * feedback bodies, and case-insensitive enum-like values checked by the callers).
 */
final class DdiJson {

    /** hawkBit lists digests as sha1, md5, sha256. */
    @JsonPropertyOrder({"sha1", "md5", "sha256"})
    abstract static class HashesOrder {
    }

    @JsonPropertyOrder({"filename", "hashes", "size", "_links"})
    abstract static class ArtifactOrder {
    }

    @JsonPropertyOrder({"part", "version", "name", "artifacts", "metadata", "modelyardDeltas"})
    abstract static class ChunkOrder {
    }

    @JsonPropertyOrder({"download", "update", "maintenanceWindow", "chunks"})
    abstract static class DeploymentOrder {
    }

    static final ObjectMapper MAPPER = WireJson.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .addMixIn(DeploymentBase.Hashes.class, HashesOrder.class)
            .addMixIn(DeploymentBase.Artifact.class, ArtifactOrder.class)
            .addMixIn(DeploymentBase.Chunk.class, ChunkOrder.class)
            .addMixIn(DeploymentBase.Deployment.class, DeploymentOrder.class)
            .build();

    private DdiJson() {
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String body, Class<T> type) throws JsonProcessingException {
        return MAPPER.readValue(body, type);
    }
}
