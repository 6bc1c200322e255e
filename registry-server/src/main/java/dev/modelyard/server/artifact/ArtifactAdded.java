package dev.modelyard.server.artifact;

import java.util.UUID;

/**
 * Fired inside the transaction that added an artifact to a version ({@link VersionArtifacts}, the
 * one add path); an observer that fails rolls the addition back. {@code released}: the version
 * was already published or deprecated, so devices may be given the new file at once (a
 * conversion's output); an upload to a draft is not.
 */
public record ArtifactAdded(String tenant, UUID artifactId, long versionId, boolean released) {
}
