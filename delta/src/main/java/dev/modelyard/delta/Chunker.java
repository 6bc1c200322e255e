package dev.modelyard.delta;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Content-defined chunks of a file (FastCDC-style gear hash with normalised chunking): a cut
 * depends only on the last 64 bytes before it, so an insertion or deletion moves the cuts near
 * it and no others, and two versions of a file share every chunk their edits did not touch.
 * Streams the file through one buffer; the current chunk's bytes are valid until {@link #next()}.
 */
final class Chunker {

    static final int MIN_CHUNK = 2 << 10;
    static final int AVERAGE_CHUNK = 8 << 10;
    static final int MAX_CHUNK = 64 << 10;
    /** Before the average size a cut needs 15 zero bits, after it 11: sizes gather around 8-12 KiB. */
    private static final long MASK_SMALL = -1L << (64 - 15);
    private static final long MASK_LARGE = -1L << (64 - 11);
    private static final int BUFFER = 1 << 20;
    private static final long[] GEAR = gear();

    private final FileChannel channel;
    private final long size;
    private final byte[] buffer = new byte[BUFFER];
    private long bufferStart;
    private int bufferLength;
    private int chunkStart;
    private int chunkLength;
    private long fileOffset;

    Chunker(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
    }

    /** Moves to the next chunk; false at the end of the file. */
    boolean next() throws IOException {
        int position = chunkStart + chunkLength;
        fileOffset = bufferStart + position;
        if (bufferLength - position < MAX_CHUNK && bufferStart + bufferLength < size) {
            refill(position);
            position = 0;
        }
        int available = bufferLength - position;
        chunkStart = position;
        chunkLength = available == 0 ? 0 : cut(buffer, position, available);
        return chunkLength > 0;
    }

    byte[] bytes() {
        return buffer;
    }

    int start() {
        return chunkStart;
    }

    int length() {
        return chunkLength;
    }

    /** Where the current chunk starts in the file. */
    long offset() {
        return fileOffset;
    }

    /** Keeps the unread tail and fills the buffer behind it with positional reads. */
    private void refill(int position) throws IOException {
        int filled = bufferLength - position;
        System.arraycopy(buffer, position, buffer, 0, filled);
        bufferStart += position;
        int wanted = (int) Math.min(buffer.length - filled, Math.max(0, size - bufferStart - filled));
        // fewer bytes than wanted: the file shrank under us; its chunks end here, and the caller's digest check tells
        filled += FileBytes.read(channel, bufferStart + filled, buffer, filled, wanted);
        bufferLength = filled;
    }

    /** The length of the chunk that starts at {@code off}, of at most {@code available} bytes. */
    static int cut(byte[] bytes, int off, int available) {
        if (available <= MIN_CHUNK) {
            return available;
        }
        int normal = Math.min(AVERAGE_CHUNK, available);
        int limit = Math.min(MAX_CHUNK, available);
        long hash = 0;
        int i = MIN_CHUNK;
        for (; i < normal; i++) {
            hash = (hash << 1) + GEAR[bytes[off + i] & 0xFF];
            if ((hash & MASK_SMALL) == 0) {
                return i + 1;
            }
        }
        for (; i < limit; i++) {
            hash = (hash << 1) + GEAR[bytes[off + i] & 0xFF];
            if ((hash & MASK_LARGE) == 0) {
                return i + 1;
            }
        }
        return limit;
    }

    /** Fixed pseudo-random values (SplitMix64 from a constant seed): the same cuts on every machine and run. */
    private static long[] gear() {
        long[] table = new long[256];
        long state = 0x6D6F64656C796172L; // "modelyar"
        for (int i = 0; i < table.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }
}
