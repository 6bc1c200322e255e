package dev.modelyard.delta;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The uncompressed start of a delta file (see {@link DeltaFormat}).
 *
 * @param method       informational name of the encoder that made it ("onnx-tensors", "cdc", "planes", …)
 * @param baseSha256   lower-case hex SHA-256 of the base, or null when the file needs no base (a compressed full file)
 * @param baseSize     size of the base in bytes; 0 without a base
 * @param targetSha256 lower-case hex SHA-256 of the file the delta rebuilds
 * @param targetSize   size of that file in bytes
 */
public record DeltaHeader(String method, String baseSha256, long baseSize, String targetSha256, long targetSize) {

    public boolean hasBase() {
        return baseSha256 != null;
    }

    /** Writes the header; the body follows. */
    public void write(OutputStream out) throws IOException {
        throw new UnsupportedOperationException("codec: see DeltaFormat");
    }

    /** Reads and checks a header (magic, version, flags, method name); the stream is left at the body. */
    public static DeltaHeader read(InputStream in) throws IOException {
        throw new UnsupportedOperationException("codec: see DeltaFormat");
    }
}
