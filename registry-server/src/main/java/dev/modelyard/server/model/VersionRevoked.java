package dev.modelyard.server.model;

/**
 * Fired inside the revoking transaction, after the status change has reached the database (the
 * trigger that cancels its actions has run); an observer that fails rolls the revocation back.
 */
public record VersionRevoked(long versionId) {
}
