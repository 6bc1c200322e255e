package dev.modelyard.delta;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The generic compressed full file: the whole target as literals, which the format's zstd
 * stream compresses. Needs no base; what a device gets when nothing better applies (the
 * tensor-aware encoders send a model's tensors in byte planes instead).
 */
public final class PlainDelta {

    /** The method name for a delta's header. */
    public static final String METHOD = "zstd";

    private PlainDelta() {
    }

    /**
     * Describes all of {@code target} to {@code out} as literals; the caller made {@code out}'s
     * header (usually without a base, method {@link #METHOD}) and finishes it.
     */
    public static void encode(Path target, DeltaWriter out) throws IOException {
        byte[] buffer = new byte[1 << 20]; // the writer gathers reads into operations of the largest size
        try (InputStream in = Files.newInputStream(target)) {
            int read;
            while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                out.literal(buffer, 0, read);
            }
        }
    }
}
