package dev.modelyard.delta;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Rebuilds a target from a delta and its base, streaming: memory stays within a few
 * {@link DeltaFormat#MAX_OPERATION_BYTES} whatever the file sizes (the base is read with
 * positional reads, never loaded whole). The result's size and SHA-256 are computed as it is
 * written and compared with the header's; a caller must still compare them with what it trusts
 * (a device: the signed release metadata), since the header comes with the delta.
 */
public final class DeltaApplier {

    private DeltaApplier() {
    }

    /** What was rebuilt. {@code sha256}: the digest of the bytes written. */
    public record Applied(DeltaHeader header, byte[] sha256, long size) {
    }

    /**
     * Applies {@code delta} to {@code base} (null for a delta without a base) and writes the target
     * to {@code out}. {@code expectedBaseSha256} (lower-case hex, null for none) must be the
     * header's base, else {@link DeltaFormatException.Reason#WRONG_BASE} before anything is written.
     */
    public static Applied apply(InputStream delta, FileChannel base, String expectedBaseSha256, OutputStream out)
            throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /**
     * Applies the delta file to the base file and writes {@code target} (replaced, forced to disk
     * before returning). On any failure {@code target} is deleted.
     */
    public static Applied apply(Path delta, Path base, String expectedBaseSha256, Path target) throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** Reads only the header of a delta file. */
    public static DeltaHeader header(Path delta) throws IOException {
        throw new UnsupportedOperationException("codec");
    }
}
