package dev.modelyard.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;

/** The serving health devices report with their actions' feedback, stored and summed up. */
@ApplicationScoped
public class HealthReports {

    /** The health reported for these actions (their newest report each). Call in a transaction. */
    public PhaseHealth summarize(Collection<Long> actionIds) {
        return PhaseHealth.NONE;
    }
}
