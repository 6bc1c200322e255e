package dev.modelyard.delta;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a delta file: the header, then operations in target order into one zstd stream.
 * Callers describe the target from start to end; the writer cuts operations longer than
 * {@link DeltaFormat#MAX_OPERATION_BYTES} (planes on element boundaries), merges adjacent copies
 * and small literals, and counts what it wrote. Not thread-safe.
 *
 * <p>Describing something the header rules out (a copy without a base or outside it, more bytes
 * than the target has, an element width not in {1, 2, 4, 8}) is a programming error and throws
 * {@link IllegalArgumentException} before anything of it is written.
 */
public final class DeltaWriter implements Closeable {

    private static final int MAX = DeltaFormat.MAX_OPERATION_BYTES;
    /** Room for the longest operation head: kind, u64 offset, u32 length, u8 width. */
    private static final int OP_HEAD_BYTES = 1 + 8 + 4 + 1;
    private static final int INITIAL_LITERAL_BUFFER = 64 << 10;

    private final OutputStream out;
    private final DeltaHeader header;
    private final ZstdOutputStreamNoFinalizer body;
    private final ByteBuffer head = ByteBuffer.allocate(OP_HEAD_BYTES);

    private long described;
    /** A copy not yet written, so that the next one can extend it; length 0 when there is none. */
    private long pendingCopyOffset;
    private long pendingCopyLength;
    /** Literal bytes not yet written, so that consecutive small literals become one operation. */
    private byte[] pendingLiteral = new byte[0];
    private int pendingLiteralLength;
    private byte[] scratch;
    private byte[] planesScratch;
    private boolean finished;
    private boolean closed;

    /**
     * @param out    where the delta goes; closed by {@link #close()}
     * @param header what the delta rebuilds (written at once)
     * @param level  zstd level (1–22; the server's default is its setting {@code modelyard.delta.level})
     */
    public DeltaWriter(OutputStream out, DeltaHeader header, int level) throws IOException {
        if (level < 1 || level > 22) {
            throw new IllegalArgumentException("zstd level must be 1-22, not " + level);
        }
        this.out = Objects.requireNonNull(out, "out");
        this.header = Objects.requireNonNull(header, "header");
        header.write(out);
        this.body = new ZstdOutputStreamNoFinalizer(out, level);
        // The checksum lets zstd itself notice a damaged body; the explicit window keeps what a
        // reader must allocate within the bound it enforces, whatever the level would choose.
        body.setChecksum(true);
        body.setWindowLog(DeltaFormat.MAX_WINDOW_LOG);
    }

    /** The next {@code length} target bytes equal the base's from {@code baseOffset}. */
    public void copy(long baseOffset, long length) throws IOException {
        checkOpen();
        requireBaseRange(baseOffset, length);
        if (length == 0) {
            return;
        }
        reserve(length);
        flushLiteral();
        if (pendingCopyLength > 0 && pendingCopyOffset + pendingCopyLength == baseOffset) {
            pendingCopyLength += length;
            return;
        }
        flushCopy();
        pendingCopyOffset = baseOffset;
        pendingCopyLength = length;
    }

    /** The next target bytes are these. */
    public void literal(byte[] bytes, int off, int len) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(off, len, bytes.length);
        if (len == 0) {
            return;
        }
        reserve(len);
        flushCopy();
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, MAX - pendingLiteralLength);
            ensureLiteralCapacity(pendingLiteralLength + n);
            System.arraycopy(bytes, off + done, pendingLiteral, pendingLiteralLength, n);
            pendingLiteralLength += n;
            done += n;
            if (pendingLiteralLength == MAX) {
                flushLiteral();
            }
        }
    }

    /** The next target bytes are these elements of {@code width} bytes, sent in byte planes. */
    public void planes(byte[] bytes, int off, int len, int width) throws IOException {
        checkOpen();
        requireElements(len, width);
        Objects.checkFromIndexSize(off, len, bytes.length);
        if (len == 0) {
            return;
        }
        reserve(len);
        flushPending();
        byte[] split = planesScratch(Math.min(len, MAX));
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, MAX); // MAX is a multiple of every width: cuts fall on element boundaries
            BytePlanes.split(bytes, off + done, n, width, split, 0);
            head.clear();
            head.put((byte) DeltaFormat.PLANES).putInt(n).put((byte) width);
            writeHead();
            body.write(split, 0, n);
            done += n;
        }
    }

    /**
     * The next target bytes are {@code target}, elements of {@code width} bytes; {@code base}
     * holds the base's bytes from {@code baseOffset} of the same length. Sent as their XOR in planes.
     */
    public void xorPlanes(long baseOffset, byte[] base, int baseOff, byte[] target, int targetOff, int len, int width)
            throws IOException {
        checkOpen();
        requireElements(len, width);
        Objects.checkFromIndexSize(baseOff, len, base.length);
        Objects.checkFromIndexSize(targetOff, len, target.length);
        requireBaseRange(baseOffset, len);
        if (len == 0) {
            return;
        }
        reserve(len);
        flushPending();
        byte[] xor = scratch(Math.min(len, MAX));
        byte[] split = planesScratch(Math.min(len, MAX));
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, MAX);
            for (int i = 0; i < n; i++) {
                xor[i] = (byte) (target[targetOff + done + i] ^ base[baseOff + done + i]);
            }
            BytePlanes.split(xor, 0, n, width, split, 0);
            head.clear();
            head.put((byte) DeltaFormat.XOR_PLANES).putLong(baseOffset + done).putInt(n).put((byte) width);
            writeHead();
            body.write(split, 0, n);
            done += n;
        }
    }

    /** Target bytes described so far. */
    public long targetBytes() {
        return described;
    }

    /** Writes END, checks that exactly the header's target size was described, and finishes the stream. */
    public void finish() throws IOException {
        checkOpen();
        if (described != header.targetSize()) {
            throw new IllegalStateException("described " + described + " of the target's " + header.targetSize()
                    + " bytes");
        }
        flushPending();
        body.write(DeltaFormat.END);
        body.closeWithoutClosingParentStream();
        out.flush();
        finished = true;
    }

    /** Closes the output; a writer closed before {@link #finish()} leaves an incomplete file, which readers refuse. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!finished) {
                // Frees the native compressor; the frame it ends has no END, so no reader accepts it.
                body.closeWithoutClosingParentStream();
            }
        } finally {
            out.close();
        }
    }

    private void checkOpen() {
        if (finished || closed) {
            throw new IllegalStateException("delta writer is " + (closed ? "closed" : "finished"));
        }
    }

    private void requireBaseRange(long baseOffset, long length) {
        if (!header.hasBase()) {
            throw new IllegalArgumentException("a delta without a base cannot refer to one");
        }
        if (baseOffset < 0 || length < 0 || baseOffset > header.baseSize() - length) {
            throw new IllegalArgumentException("base range [" + baseOffset + ", +" + length + ") is outside the base's "
                    + header.baseSize() + " bytes");
        }
    }

    private static void requireElements(int len, int width) {
        if (!BytePlanes.isValidWidth(width)) {
            throw new IllegalArgumentException("element width must be 1, 2, 4 or 8 bytes, not " + width);
        }
        if (len < 0 || len % width != 0) {
            throw new IllegalArgumentException("length " + len + " is not a multiple of the element width " + width);
        }
    }

    private void reserve(long length) {
        if (length > header.targetSize() - described) {
            throw new IllegalArgumentException("describes more than the target's " + header.targetSize() + " bytes");
        }
        described += length;
    }

    private void flushPending() throws IOException {
        flushCopy();
        flushLiteral();
    }

    private void flushCopy() throws IOException {
        while (pendingCopyLength > 0) {
            int n = (int) Math.min(pendingCopyLength, MAX);
            head.clear();
            head.put((byte) DeltaFormat.COPY).putLong(pendingCopyOffset).putInt(n);
            writeHead();
            pendingCopyOffset += n;
            pendingCopyLength -= n;
        }
    }

    private void flushLiteral() throws IOException {
        if (pendingLiteralLength == 0) {
            return;
        }
        head.clear();
        head.put((byte) DeltaFormat.LITERAL).putInt(pendingLiteralLength);
        writeHead();
        body.write(pendingLiteral, 0, pendingLiteralLength);
        pendingLiteralLength = 0;
    }

    private void writeHead() throws IOException {
        body.write(head.array(), 0, head.position());
    }

    private void ensureLiteralCapacity(int needed) {
        if (needed > pendingLiteral.length) {
            int grown = Math.max(needed, Math.max(INITIAL_LITERAL_BUFFER, pendingLiteral.length * 2));
            pendingLiteral = Arrays.copyOf(pendingLiteral, Math.min(MAX, grown));
        }
    }

    /** Scratch space grows to the largest operation seen, at most {@code MAX}: small deltas stay small. */
    private byte[] scratch(int size) {
        if (scratch == null || scratch.length < size) {
            scratch = new byte[size];
        }
        return scratch;
    }

    private byte[] planesScratch(int size) {
        if (planesScratch == null || planesScratch.length < size) {
            planesScratch = new byte[size];
        }
        return planesScratch;
    }
}
