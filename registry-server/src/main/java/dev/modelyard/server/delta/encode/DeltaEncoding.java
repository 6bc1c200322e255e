package dev.modelyard.server.delta.encode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes delta files (the {@code modelyard-delta} format): files in, a file out, no database and
 * no CDI, so the builder, tests and {@code bench/delta} call the same code. For each request it
 * tries the encoders that apply to the target's format — tensor-aware for ONNX (and TFLite),
 * content-defined chunks for any file, byte planes or plain zstd without a base — and keeps the
 * smallest.
 */
public final class DeltaEncoding {

    private DeltaEncoding() {
    }

    /**
     * @param base         the base file, or null for a compressed full file
     * @param baseSha256   its lower-case hex SHA-256 (null without a base)
     * @param target       the file to rebuild
     * @param targetSha256 its lower-case hex SHA-256
     * @param format       the target artifact's format (onnx, tflite, ort, …): decides which encoders apply
     * @param level        zstd level
     * @param scratch      a directory for temporary files (each encoder's output before the smallest is kept)
     */
    public record Request(Path base, String baseSha256, Path target, String targetSha256, String format, int level,
                          Path scratch) {
    }

    /** The delta written: the encoder that won, its size and SHA-256, and how long encoding took in all. */
    public record Encoded(String method, long size, String sha256, long millis) {
    }

    /** Writes the smallest delta for {@code request} to {@code out} (replaced). */
    public static Encoded encode(Request request, Path out) throws IOException {
        throw new UnsupportedOperationException("encoders");
    }
}
