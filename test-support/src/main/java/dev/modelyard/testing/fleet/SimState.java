package dev.modelyard.testing.fleet;

/** Where a simulated device is with its newest action (or why it has none). */
public enum SimState {
    /** A late joiner before its join time: it does not poll yet. */
    NOT_JOINED,
    /** Never polls. */
    OFFLINE,
    /** Polls; no action seen yet. */
    IDLE,
    /** Saw an action in a poll and is fetching or downloading it. */
    DOWNLOADING,
    /** Downloaded; the deployment's maintenance window is closed, so it waits without installing. */
    WAITING_FOR_WINDOW,
    /** Installed and reported {@code proceeding}; closes when its health window ends. */
    HEALTH_WINDOW,
    /** Closed the action with success. */
    SUCCEEDED,
    /** Closed the action with failure. */
    FAILED,
    /** The action was canceled (the device confirmed it, or the server closed it). */
    CANCELED,
    /** A download-only action: reported {@code downloaded}. */
    DOWNLOADED;

    /** True once the device is done with the action. */
    public boolean closed() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED || this == DOWNLOADED;
    }
}
