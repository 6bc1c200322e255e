package dev.modelyard.server.deployment;

/**
 * What a rollout adds to the actions it creates, beyond version, type and precision.
 *
 * @param rolloutId             the rollout the actions belong to; null for a plain deployment
 * @param window                the maintenance window the update step waits for; null for none
 * @param rollbackAuthorization the signed envelope (JSON) of a rollback authorization for exactly
 *                              the assigned release: devices then accept it although they run a newer one
 */
public record ActionOptions(Long rolloutId, MaintenanceWindow window, String rollbackAuthorization) {

    public static final ActionOptions NONE = new ActionOptions(null, null, null);
}
