package dev.modelyard.client;

import dev.modelyard.wire.IoSignature;
import java.time.Instant;
import java.util.Map;

/** Versions of a model and their lifecycle: draft → published → deprecated / revoked. */
public final class Versions extends Area {

    public static final String DRAFT = "draft";
    public static final String PUBLISHED = "published";
    public static final String DEPRECATED = "deprecated";
    public static final String REVOKED = "revoked";

    public record NewVersion(String version, String changelog, Map<String, Double> metrics, Map<String, Object> lineage,
                             IoSignature ioSignature, Map<String, Object> selfTest) {
        public static NewVersion of(String version) {
            return new NewVersion(version, null, null, null, null, null);
        }
    }

    /**
     * A merge patch: fields left null are not changed. A draft takes changelog, metrics, lineage, I/O
     * signature and self-test; a released version only a new {@code status}.
     */
    public record VersionPatch(String status, String changelog, Map<String, Double> metrics, Map<String, Object> lineage,
                               IoSignature ioSignature, Map<String, Object> selfTest) {
        public static VersionPatch status(String status) {
            return new VersionPatch(status, null, null, null, null, null);
        }

        public static VersionPatch selfTest(Map<String, Object> selfTest) {
            return new VersionPatch(null, null, null, null, null, selfTest);
        }
    }

    /** @param status draft, published, deprecated or revoked */
    public record Version(String model, String version, String status, String changelog, Map<String, Double> metrics,
                          Map<String, Object> lineage, IoSignature ioSignature, Map<String, Object> selfTest,
                          String selfTestSha256, long artifactCount, Long releaseCounter, Instant createdAt,
                          String createdBy, Instant updatedAt, Instant publishedAt) {
    }

    Versions(Transport t) {
        super(t);
    }

    public Version create(String model, NewVersion version) {
        return t.call("POST", Query.path("/api/v1/models/{}/versions", model), version, Version.class);
    }

    public Version get(String model, String version) {
        return t.get(Query.path("/api/v1/models/{}/versions/{}", model, version), Version.class);
    }

    /** @param status null for every status */
    public Page<Version> list(String model, String status, Integer page, Integer size) {
        return t.page(Query.path("/api/v1/models/{}/versions", model).param("status", status).page(page, size), Version.class);
    }

    public Version update(String model, String version, VersionPatch patch) {
        return t.call("PATCH", Query.path("/api/v1/models/{}/versions/{}", model, version), patch, Version.class);
    }

    /** Signs and releases a draft; its artifacts can no longer change. */
    public Version publish(String model, String version) {
        return t.call("POST", Query.path("/api/v1/models/{}/versions/{}/publish", model, version), null, Version.class);
    }

    public void delete(String model, String version) {
        t.delete(Query.path("/api/v1/models/{}/versions/{}", model, version));
    }
}
