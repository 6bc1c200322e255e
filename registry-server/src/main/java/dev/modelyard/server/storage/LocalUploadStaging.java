package dev.modelyard.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Resumable uploads' bytes as one data file per session in the staging directory. Replicas see
 * each other's sessions only if they share that directory; the session state itself (offset,
 * who is appending) is in the database either way.
 */
public class LocalUploadStaging implements UploadStaging {

    private final StagingArea staging;

    public LocalUploadStaging(StagingArea staging) {
        this.staging = staging;
    }

    @Override
    public String id() {
        return staging.id();
    }

    @Override
    public long append(UUID session, long offset, InputStream in, long maxTotal) throws IOException {
        return staging.append(staging.sessionFile(session), offset, in, maxTotal);
    }

    @Override
    public StagedFile seal(UUID session, long acknowledged) throws IOException {
        return staging.seal(staging.sessionFile(session), acknowledged);
    }

    @Override
    public void discard(UUID session) throws IOException {
        Files.deleteIfExists(staging.sessionFile(session));
    }

    @Override
    public int sweep(Instant cutoff, Predicate<UUID> sessionExists) throws IOException {
        // Only session data files: other staging files are the garbage collector's own sweep.
        return staging.sweep(cutoff, f -> StagingArea.sessionOf(f).map(sessionExists::test).orElse(true));
    }
}
