package dev.modelyard.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bytes received into the staging area, with the SHA-256 and size computed while receiving. */
public record StagedFile(Path path, String sha256, long size) {

    public void discard() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The garbage collector removes staging leftovers.
        }
    }
}
