package dev.modelyard.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed byte storage: a blob's key is the SHA-256 of its bytes, so identical files
 * are stored once. Callers hand over files whose digest they have already verified; the store
 * never sees unverified bytes under a content key.
 */
public interface BlobStore {

    /** Short name for logs and health: filesystem, s3. */
    String kind();

    boolean exists(String sha256) throws IOException;

    /**
     * Makes {@code verifiedFile} (whose SHA-256 is {@code sha256}) readable under that digest.
     * Idempotent; the file is consumed (moved or deleted) either way.
     */
    void put(String sha256, Path verifiedFile) throws IOException;

    /** Reads {@code length} bytes from {@code offset}. */
    InputStream open(String sha256, long offset, long length) throws IOException;

    /** The blob's file when the store is local, so it can be sent without copying through the heap. */
    Optional<Path> localPath(String sha256);

    void delete(String sha256) throws IOException;

    /**
     * A URL that lets anyone holding it read the blob (with Range) for {@code ttl}, so a download
     * can bypass the server; empty when the store cannot make one (the filesystem store).
     */
    default Optional<java.net.URI> presignedGet(String sha256, java.time.Duration ttl) throws IOException {
        return Optional.empty();
    }

    /** Calls {@code action} with the digest of every stored blob last written before {@code cutoff}. */
    void forEachWrittenBefore(Instant cutoff, Consumer<String> action) throws IOException;

    /** Fails when the store cannot be reached; used by the readiness check. */
    void checkReachable() throws IOException;
}
