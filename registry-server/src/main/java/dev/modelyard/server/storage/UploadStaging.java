package dev.modelyard.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Where the bytes of resumable uploads wait until they are finished. Every replica must see the
 * same bytes, so that a session started on one replica can be continued and finished on any
 * other: with the S3 store they live in the bucket ({@link S3UploadStaging}); with the
 * filesystem store in the staging directory ({@link LocalUploadStaging}), which replicas must
 * then share (a ReadWriteMany volume, like the blob directory).
 */
public interface UploadStaging {

    /** Recorded on a session once it holds bytes: names where they are. */
    String id();

    /**
     * Appends {@code in} at {@code offset}, the session's acknowledged length. Returns the new
     * length once the bytes are durable where every replica sees them. A body cut off keeps what
     * arrived and throws {@link StagingArea.CutShort} with the new length; any other failure keeps
     * nothing of this append.
     */
    long append(UUID session, long offset, InputStream in, long maxTotal) throws IOException;

    /** Turns the first {@code acknowledged} bytes into a local staged file, hashed; fails if fewer are held. */
    StagedFile seal(UUID session, long acknowledged) throws IOException;

    /** Removes a session's bytes (finished, cancelled or expired). */
    void discard(UUID session) throws IOException;

    /**
     * Removes bytes of sessions that {@code sessionExists} no longer knows, last written before
     * {@code cutoff} (an append that raced with a cancel, a crash). Returns how many sessions.
     */
    int sweep(Instant cutoff, Predicate<UUID> sessionExists) throws IOException;
}
