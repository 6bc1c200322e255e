package dev.modelyard.delta;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a delta file: the header, then operations in target order into one zstd stream.
 * Callers describe the target from start to end; the writer cuts operations longer than
 * {@link DeltaFormat#MAX_OPERATION_BYTES} (planes on element boundaries), merges adjacent copies
 * and small literals, and counts what it wrote. Not thread-safe.
 */
public final class DeltaWriter implements Closeable {

    /**
     * @param out    where the delta goes; closed by {@link #close()}
     * @param header what the delta rebuilds (written at once)
     * @param level  zstd level (1–19; the server's default is its setting {@code modelyard.delta.level})
     */
    public DeltaWriter(OutputStream out, DeltaHeader header, int level) throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** The next {@code length} target bytes equal the base's from {@code baseOffset}. */
    public void copy(long baseOffset, long length) throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** The next target bytes are these. */
    public void literal(byte[] bytes, int off, int len) throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** The next target bytes are these elements of {@code width} bytes, sent in byte planes. */
    public void planes(byte[] bytes, int off, int len, int width) throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /**
     * The next target bytes are {@code target}, elements of {@code width} bytes; {@code base}
     * holds the base's bytes from {@code baseOffset} of the same length. Sent as their XOR in planes.
     */
    public void xorPlanes(long baseOffset, byte[] base, int baseOff, byte[] target, int targetOff, int len, int width)
            throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** Target bytes described so far. */
    public long targetBytes() {
        throw new UnsupportedOperationException("codec");
    }

    /** Writes END, checks that exactly the header's target size was described, and finishes the stream. */
    public void finish() throws IOException {
        throw new UnsupportedOperationException("codec");
    }

    /** Closes the output; a writer closed before {@link #finish()} leaves an incomplete file, which readers refuse. */
    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("codec");
    }
}
