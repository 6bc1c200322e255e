package dev.modelyard.server.storage;

import java.nio.file.Path;

/**
 * Another replica using a staging directory, run as its own process by {@link StagingAreaTest}:
 * joins the directory, says so, and stays until its standard input closes.
 */
public final class StagingAreaUser {

    private StagingAreaUser() {
    }

    public static void main(String[] args) throws Exception {
        StagingArea staging = new StagingArea(Path.of(args[0]), false);
        boolean alone = staging.join(() -> { });
        System.out.println("joined alone=" + alone);
        System.out.flush();
        while (System.in.read() >= 0) {
            // stay a user of the directory until the test lets go
        }
    }
}
