package dev.modelyard.server.deployment;

/**
 * Fired in the transaction of a deployment request with what it did to its devices: actions
 * created ({@code assigned}, plus {@code failed} when no artifact fitted) and devices that
 * already had the version. Observers that count wait for the commit.
 */
record Assigned(int assigned, int failed, int already) {

    /** Actions the request created. */
    int created() {
        return assigned + failed;
    }
}
