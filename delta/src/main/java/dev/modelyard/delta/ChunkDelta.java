package dev.modelyard.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The generic delta for any file: both files cut into content-defined chunks ({@link Chunker},
 * about 8-12 KiB), the base's chunks indexed by SHA-256, and the target described as copies of
 * the base chunks it shares (adjacent ones merge into one operation) and literals for the rest,
 * which zstd compresses. An edit costs about the chunks it touches, wherever it is: the chunking
 * resynchronises right after it. Knows nothing of model formats; the tensor-aware encoders do
 * better on models, this is what remains for everything else.
 *
 * <p>Streams both files; memory is one chunk buffer per file and the index, one entry per
 * distinct base chunk (about 100 bytes per 10 KiB of base).
 */
public final class ChunkDelta {

    /** The method name for a delta's header. */
    public static final String METHOD = "cdc";

    private ChunkDelta() {
    }

    /**
     * Describes all of {@code target} to {@code out} in terms of {@code base}; the caller made
     * {@code out}'s header (with method {@link #METHOD}, this base and this target) and finishes it.
     */
    public static void encode(Path base, Path target, DeltaWriter out) throws IOException {
        try (FileChannel baseChannel = FileChannel.open(base, StandardOpenOption.READ);
                FileChannel targetChannel = FileChannel.open(target, StandardOpenOption.READ)) {
            Map<ChunkKey, Long> index = index(baseChannel);
            describe(targetChannel, baseChannel, index, out);
        }
    }

    /** Where each distinct chunk of the base first occurs. */
    private static Map<ChunkKey, Long> index(FileChannel base) throws IOException {
        Map<ChunkKey, Long> index = new HashMap<>();
        MessageDigest sha256 = FileBytes.sha256();
        Chunker chunks = new Chunker(base);
        while (chunks.next()) {
            index.putIfAbsent(ChunkKey.of(sha256, chunks), chunks.offset());
        }
        return index;
    }

    private static void describe(FileChannel target, FileChannel base, Map<ChunkKey, Long> index, DeltaWriter out)
            throws IOException {
        MessageDigest sha256 = FileBytes.sha256();
        byte[] baseChunk = new byte[Chunker.MAX_CHUNK];
        Chunker chunks = new Chunker(target);
        while (chunks.next()) {
            Long baseOffset = index.get(ChunkKey.of(sha256, chunks));
            if (baseOffset != null && sameBytes(base, baseOffset, baseChunk, chunks)) {
                out.copy(baseOffset, chunks.length());
            } else {
                out.literal(chunks.bytes(), chunks.start(), chunks.length());
            }
        }
    }

    /** A digest match is not trusted alone: a COPY of other bytes would rebuild the wrong file. */
    private static boolean sameBytes(FileChannel base, long offset, byte[] into, Chunker chunk) throws IOException {
        int length = chunk.length();
        return FileBytes.readFully(base, offset, into, 0, length) && Arrays.equals(into, 0, length, chunk.bytes(), chunk.start(), chunk.start() + length);
    }

    /** 128 bits of a chunk's SHA-256 and its length: collisions are left to {@link #sameBytes}. */
    private record ChunkKey(long high, long low, int length) {

        static ChunkKey of(MessageDigest sha256, Chunker chunk) {
            sha256.update(chunk.bytes(), chunk.start(), chunk.length());
            ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
            return new ChunkKey(digest.getLong(), digest.getLong(), chunk.length());
        }
    }
}
