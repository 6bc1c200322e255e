package dev.modelyard.server.delta;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the device protocol asks of deltas: which ready deltas rebuild an artifact from the files
 * a device holds, one by id for its download, and a request to build one a device could have
 * used. Runs in the caller's tenant and transaction.
 */
public interface DeltaOffers {

    /**
     * A ready delta of {@code targetArtifact}. {@code baseSha256} null: the compressed full file.
     *
     * @param blobSha256 where its bytes are in the blob store (also the delta file's SHA-256)
     */
    record Offer(UUID id, UUID targetArtifact, String baseSha256, String method, int format, long size,
                 String blobSha256) {
    }

    /**
     * The deltas worth offering a device that holds the files {@code baseSha256s} and applies the
     * delta format versions {@code formats}: per base the smallest ready delta, and the compressed
     * full file, each only if smaller than the configured share of what it replaces (the full
     * file, or the compressed full file when there is one). Smallest first.
     */
    List<Offer> offers(UUID targetArtifact, Collection<String> baseSha256s, Collection<Integer> formats);

    /** A ready delta of {@code targetArtifact} by id (for its download); empty when unknown or not ready. */
    Optional<Offer> offer(UUID targetArtifact, UUID deltaId);

    /**
     * Asks for the deltas from {@code baseSha256s} to {@code targetArtifact} that are neither
     * built nor queued (a device asked for a deployment the server had no delta for yet). The
     * caller passes only files the device is known to hold (the server gave them to it): a base is
     * read to build the delta. Cheap when they exist; queued in the caller's transaction, which it
     * never fails (a race with another request is a no-op, any other failure is rolled back to a
     * savepoint).
     */
    void demand(UUID targetArtifact, Collection<String> baseSha256s);
}
