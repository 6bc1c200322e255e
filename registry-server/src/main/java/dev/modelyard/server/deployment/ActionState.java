package dev.modelyard.server.deployment;

import java.util.Locale;
import java.util.Set;

/**
 * An action's status. Active: running (assigned), retrieved (the device fetched it),
 * downloaded, scheduled, canceling (the device is asked to stop). Closed: canceled, finished,
 * error; a download-only action also ends, inactive, in downloaded.
 */
public enum ActionState {
    RUNNING, RETRIEVED, DOWNLOADED, SCHEDULED, CANCELING, CANCELED, FINISHED, ERROR;

    /** States in which the device is offered the deployment. */
    public static final Set<ActionState> OFFERED = Set.of(RUNNING, RETRIEVED, DOWNLOADED, SCHEDULED);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ActionState parse(String text) {
        for (ActionState s : values()) {
            if (s.wireName().equals(text)) return s;
        }
        throw new IllegalArgumentException("status: '" + text
                + "' is not one of running, retrieved, downloaded, scheduled, canceling, canceled, finished, error");
    }
}
