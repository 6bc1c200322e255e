package dev.modelyard.server.deployment;

import java.util.List;

/**
 * Fired inside an assigning transaction (a deployment request or a rollout's batch) with the
 * actions it created that deliver an artifact, for features that prepare what those devices will
 * download (deltas). An observer that fails rolls the assignment back.
 */
public record ActionsAssigned(String tenant, List<Long> actionIds) {

    public ActionsAssigned {
        actionIds = List.copyOf(actionIds);
    }
}
