package dev.modelyard.server.tenant;

/**
 * Fired, after it committed, when a disabled tenant is enabled again: background work that skipped
 * it while it was disabled (metadata renewal) catches up right away.
 */
public record TenantEnabled(String tenant) {
}
