package dev.modelyard.server.model;

/**
 * Fired inside the publishing transaction, after the version got its release counter; an
 * observer that fails rolls the publication back.
 */
public record VersionPublished(long versionId, String tenant, String model, String version, long releaseCounter) {
}
