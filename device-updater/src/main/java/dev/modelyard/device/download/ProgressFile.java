package dev.modelyard.device.download;

import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The download in progress, written by the daemon for the {@code status} command, which runs as
 * another process and reads the data directory as it does for the installed versions. Only a
 * view: written without fsync, and a write that fails is logged, never allowed to stop a download.
 */
public final class ProgressFile {

    private static final Logger LOG = Logger.getLogger(ProgressFile.class.getName());

    private final Path file;

    public ProgressFile(Path file) {
        this.file = file;
    }

    public void write(DownloadProgress.Snapshot s) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, CanonicalJson.toPrettyString(s.toMap()));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "could not write " + file + ": " + e.getMessage());
        }
    }

    /** The last snapshot written; empty when no download is under way (or the file cannot be read). */
    public Optional<DownloadProgress.Snapshot> read() {
        try {
            if (!Files.exists(file)) return Optional.empty();
            Object parsed = CanonicalJson.parse(Files.readString(file).getBytes(StandardCharsets.UTF_8));
            return parsed instanceof Map<?, ?> m ? Optional.of(DownloadProgress.Snapshot.fromMap(m)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** No download is under way (any more). */
    public void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.fine(() -> "could not delete " + file + ": " + e.getMessage());
        }
    }
}
