package dev.modelyard.testing.fleet;

import java.time.Instant;

/**
 * What one simulated device did with one action, with the time of each step (null until it
 * happened). Written by the device, read by tests and the benchmark at any time.
 */
public final class ActionTrace {

    private final long actionId;
    private volatile String model;
    private volatile String version;
    private volatile Instant seenAt;
    private volatile Instant fetchedAt;
    private volatile Instant downloadStartedAt;
    private volatile Instant downloadFinishedAt;
    private volatile Instant closedAt;
    private volatile SimState state = SimState.DOWNLOADING;
    private volatile String detail;
    private volatile long downloadedBytes;

    ActionTrace(long actionId, Instant seenAt) {
        this.actionId = actionId;
        this.seenAt = seenAt;
    }

    public long actionId() {
        return actionId;
    }

    /** The model of the deployment's chunk, once fetched. */
    public String model() {
        return model;
    }

    public String version() {
        return version;
    }

    /** When a poll first offered the action (or asked to cancel it). */
    public Instant seenAt() {
        return seenAt;
    }

    /** When deploymentBase was first read. */
    public Instant fetchedAt() {
        return fetchedAt;
    }

    public Instant downloadStartedAt() {
        return downloadStartedAt;
    }

    public Instant downloadFinishedAt() {
        return downloadFinishedAt;
    }

    public Instant closedAt() {
        return closedAt;
    }

    public SimState state() {
        return state;
    }

    /** The failure reason or why the action ended as it did; null for a plain success. */
    public String detail() {
        return detail;
    }

    public long downloadedBytes() {
        return downloadedBytes;
    }

    void fetched(String model, String version, Instant at) {
        this.model = model;
        this.version = version;
        if (fetchedAt == null) fetchedAt = at;
    }

    void downloadStarted(Instant at) {
        if (downloadStartedAt == null) downloadStartedAt = at;
    }

    void downloadFinished(long bytes, Instant at) {
        downloadedBytes += bytes;
        downloadFinishedAt = at;
    }

    synchronized void state(SimState s) {
        if (!state.closed()) state = s;
    }

    /** Closes the trace once; later closes (a late cancel after a success) change nothing. */
    synchronized boolean close(SimState s, String detail, Instant at) {
        if (state.closed()) return false;
        this.state = s;
        this.detail = detail;
        this.closedAt = at;
        return true;
    }

    @Override
    public String toString() {
        return "action " + actionId + " " + state + (detail == null ? "" : " (" + detail + ")");
    }
}
