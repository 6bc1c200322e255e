package dev.modelyard.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Blobs as files under {@code <root>/sha256/<2 hex>/<64 hex>}. A blob appears by atomic rename
 * of a complete, fsynced file, so a reader never sees a partial blob.
 */
public class FileSystemBlobStore implements BlobStore {

    private final Path root;

    public FileSystemBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root.resolve("sha256"));
    }

    @Override
    public String kind() {
        return "filesystem";
    }

    Path pathOf(String sha256) {
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public boolean exists(String sha256) {
        return Files.isRegularFile(pathOf(sha256));
    }

    @Override
    public void put(String sha256, Path verifiedFile) throws IOException {
        Path target = pathOf(sha256);
        if (Files.exists(target)) {
            Files.deleteIfExists(verifiedFile);
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(verifiedFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Staging is on another filesystem: copy next to the target, then rename atomically.
            Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
            try {
                Files.copy(verifiedFile, tmp, StandardCopyOption.REPLACE_EXISTING);
                fsync(tmp);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(verifiedFile);
            }
        }
        fsync(target.getParent());
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        FileChannel ch = FileChannel.open(pathOf(sha256), StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), length);
    }

    @Override
    public Optional<Path> localPath(String sha256) {
        return Optional.of(pathOf(sha256));
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(pathOf(sha256));
    }

    @Override
    public void forEachWrittenBefore(Instant cutoff, Consumer<String> action) throws IOException {
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(root.resolve("sha256"))) {
            for (Path prefix : prefixes) {
                try (DirectoryStream<Path> blobs = Files.newDirectoryStream(prefix)) {
                    for (Path blob : blobs) {
                        String name = blob.getFileName().toString();
                        if (Digests.isSha256Hex(name) && writtenBefore(blob, cutoff)) {
                            action.accept(name);
                        }
                    }
                }
            }
        }
    }

    private static boolean writtenBefore(Path p, Instant cutoff) throws IOException {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void checkReachable() throws IOException {
        if (!Files.isWritable(root)) {
            throw new IOException("blob directory " + root + " is not writable");
        }
    }

    static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
