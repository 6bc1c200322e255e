package dev.modelyard.delta;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Rebuilds a target from a delta and its base, streaming: memory stays within a few
 * {@link DeltaFormat#MAX_OPERATION_BYTES} whatever the file sizes (the base is read with
 * positional reads, never loaded whole). The result's size and SHA-256 are computed as it is
 * written and compared with the header's; a caller must still compare them with what it trusts
 * (a device: the signed release metadata), since the header comes with the delta.
 *
 * <p>Whatever is wrong with a delta ends in a {@link DeltaFormatException}, never in another
 * runtime exception or an allocation the delta chose; other {@link IOException}s come from the
 * streams and files the caller passed (a disk that is full, a connection that dropped).
 */
public final class DeltaApplier {

    private static final int FILE_BUFFER = 64 << 10;

    private DeltaApplier() {
    }

    /** What was rebuilt. {@code sha256}: the digest of the bytes written. */
    public record Applied(DeltaHeader header, byte[] sha256, long size) {
    }

    /**
     * Applies {@code delta} to {@code base} (null for a delta without a base) and writes the target
     * to {@code out}. {@code expectedBaseSha256} (lower-case hex, null for none) must be the
     * header's base, else {@link DeltaFormatException.Reason#WRONG_BASE} before anything is written;
     * a delta without a base needs none and ignores it. The base's size must be the header's too.
     * Neither stream is closed.
     */
    public static Applied apply(InputStream delta, FileChannel base, String expectedBaseSha256, OutputStream out)
            throws IOException {
        DeltaHeader header = DeltaHeader.read(delta);
        checkBase(header, base, expectedBaseSha256);
        try (Body body = new Body(delta)) {
            return new Replay(header, body, base, out).run();
        }
    }

    /**
     * Applies the delta file to the base file and writes {@code target} (replaced, forced to disk
     * before returning). On any failure {@code target} is deleted. A base file that is missing
     * when the delta needs one is {@link DeltaFormatException.Reason#WRONG_BASE}.
     */
    public static Applied apply(Path delta, Path base, String expectedBaseSha256, Path target) throws IOException {
        DeltaHeader header = header(delta);
        boolean needsBase = header.hasBase();
        if (needsBase && (base == null || !Files.isRegularFile(base))) {
            throw new DeltaFormatException(DeltaFormatException.Reason.WRONG_BASE,
                    "the delta needs base " + header.baseSha256() + " and there is no base file");
        }
        if (needsBase && Files.exists(target) && Files.isSameFile(base, target)) {
            throw new IllegalArgumentException("the target must not be the base: " + target);
        }
        boolean done = false;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(delta), FILE_BUFFER);
                FileChannel baseChannel = needsBase ? FileChannel.open(base, StandardOpenOption.READ) : null;
                FileChannel targetChannel = FileChannel.open(target, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Applied applied = apply(in, baseChannel, expectedBaseSha256, Channels.newOutputStream(targetChannel));
            targetChannel.force(true);
            done = true;
            return applied;
        } finally {
            if (!done) {
                Files.deleteIfExists(target);
            }
        }
    }

    /** Reads only the header of a delta file. */
    public static DeltaHeader header(Path delta) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(delta), 512)) {
            return DeltaHeader.read(in);
        }
    }

    private static void checkBase(DeltaHeader header, FileChannel base, String expectedBaseSha256)
            throws IOException {
        if (!header.hasBase()) {
            return;
        }
        if (expectedBaseSha256 == null || !expectedBaseSha256.equalsIgnoreCase(header.baseSha256())) {
            throw new DeltaFormatException(DeltaFormatException.Reason.WRONG_BASE, "the delta is made for base "
                    + header.baseSha256() + ", not " + (expectedBaseSha256 == null ? "no base" : expectedBaseSha256));
        }
        if (base == null) {
            throw new DeltaFormatException(DeltaFormatException.Reason.WRONG_BASE,
                    "the delta needs base " + header.baseSha256() + " and none was given");
        }
        if (base.size() != header.baseSize()) {
            throw new DeltaFormatException(DeltaFormatException.Reason.WRONG_BASE, "the delta's base has "
                    + header.baseSize() + " bytes, the base given " + base.size());
        }
    }

    private static DeltaFormatException malformed(String message) {
        return new DeltaFormatException(DeltaFormatException.Reason.MALFORMED, message);
    }

    private static DeltaFormatException mismatch(String message) {
        return new DeltaFormatException(DeltaFormatException.Reason.TARGET_MISMATCH, message);
    }

    /** Replays the operations of one delta; holds at most three operation-sized buffers. */
    private static final class Replay {

        private final DeltaHeader header;
        private final Body body;
        private final FileChannel base;
        private final OutputStream out;
        private final MessageDigest sha256 = FileBytes.sha256();
        private long produced;
        private byte[] input = new byte[0];
        private byte[] joined = new byte[0];
        private byte[] baseBytes = new byte[0];

        Replay(DeltaHeader header, Body body, FileChannel base, OutputStream out) {
            this.header = header;
            this.body = body;
            this.base = base;
            this.out = out;
        }

        Applied run() throws IOException {
            while (true) {
                int kind = body.u8();
                switch (kind) {
                    case DeltaFormat.END -> {
                        return finish();
                    }
                    case DeltaFormat.COPY -> copy();
                    case DeltaFormat.LITERAL -> literal();
                    case DeltaFormat.PLANES -> planes();
                    case DeltaFormat.XOR_PLANES -> xorPlanes();
                    default -> throw malformed("unknown operation kind " + kind + " at target offset " + produced);
                }
            }
        }

        private void copy() throws IOException {
            long offset = body.u64();
            int length = operationLength();
            requireInBase(offset, length);
            requireRoom(length);
            baseBytes = atLeast(baseBytes, length);
            readBase(offset, baseBytes, length);
            emit(baseBytes, length);
        }

        private void literal() throws IOException {
            int length = operationLength();
            requireRoom(length);
            input = atLeast(input, length);
            body.readFully(input, length);
            emit(input, length);
        }

        private void planes() throws IOException {
            int length = operationLength();
            int width = elementWidth(length);
            requireRoom(length);
            input = atLeast(input, length);
            body.readFully(input, length);
            joined = atLeast(joined, length);
            BytePlanes.join(input, 0, length, width, joined, 0);
            emit(joined, length);
        }

        private void xorPlanes() throws IOException {
            long offset = body.u64();
            int length = operationLength();
            int width = elementWidth(length);
            requireInBase(offset, length);
            requireRoom(length);
            input = atLeast(input, length);
            body.readFully(input, length);
            joined = atLeast(joined, length);
            BytePlanes.join(input, 0, length, width, joined, 0);
            baseBytes = atLeast(baseBytes, length);
            readBase(offset, baseBytes, length);
            for (int i = 0; i < length; i++) {
                joined[i] ^= baseBytes[i];
            }
            emit(joined, length);
        }

        private Applied finish() throws IOException {
            if (!body.atEnd()) {
                throw malformed("bytes after END");
            }
            if (produced != header.targetSize()) {
                throw mismatch("rebuilt " + produced + " bytes, the header says " + header.targetSize());
            }
            byte[] digest = sha256.digest();
            String hex = HexFormat.of().formatHex(digest);
            if (!hex.equals(header.targetSha256())) {
                throw mismatch("rebuilt a file with SHA-256 " + hex + ", the header says " + header.targetSha256());
            }
            return new Applied(header, digest, produced);
        }

        /** Checked before anything is allocated for the operation: the bound is what keeps memory small. */
        private int operationLength() throws IOException {
            long length = body.u32();
            if (length == 0 || length > DeltaFormat.MAX_OPERATION_BYTES) {
                throw malformed("operation length " + length + " outside 1.." + DeltaFormat.MAX_OPERATION_BYTES);
            }
            return (int) length;
        }

        private int elementWidth(int length) throws IOException {
            int width = body.u8();
            if (!BytePlanes.isValidWidth(width) || length % width != 0) {
                throw malformed("element width " + width + " does not fit an operation of " + length + " bytes");
            }
            return width;
        }

        private void requireInBase(long offset, int length) throws DeltaFormatException {
            if (offset < 0 || offset > header.baseSize() - length) {
                throw malformed("base range [" + offset + ", +" + length + ") is outside the base's "
                        + header.baseSize() + " bytes");
            }
        }

        private void requireRoom(int length) throws DeltaFormatException {
            if (length > header.targetSize() - produced) {
                throw mismatch("the delta describes more than the target's " + header.targetSize() + " bytes");
            }
        }

        private void readBase(long offset, byte[] into, int length) throws IOException {
            if (!FileBytes.readFully(base, offset, into, 0, length)) {
                // Its size was checked before: the base shrank while we read it.
                throw new DeltaFormatException(DeltaFormatException.Reason.WRONG_BASE,
                        "the base ended before offset " + (offset + length));
            }
        }

        private void emit(byte[] bytes, int length) throws IOException {
            out.write(bytes, 0, length);
            sha256.update(bytes, 0, length);
            produced += length;
        }

        /** Buffers grow to the largest operation seen (bounded by operationLength), so small deltas stay small. */
        private static byte[] atLeast(byte[] buffer, int length) {
            return buffer.length >= length ? buffer : new byte[length];
        }
    }

    /**
     * The zstd-compressed body. Everything zstd reports (a damaged frame, a wrong checksum, a window
     * beyond {@link DeltaFormat#MAX_WINDOW_LOG}: zstd-jni throws them as runtime exceptions) becomes
     * MALFORMED here, as does a stream cut short; only the caller's stream's own errors pass as they are.
     */
    private static final class Body implements AutoCloseable {

        private final OneFrame frame;
        private final DataInputStream data;

        Body(InputStream delta) throws IOException {
            try {
                frame = new OneFrame(delta);
            } catch (RuntimeException e) {
                throw malformed("cannot start reading the delta body: " + e.getMessage());
            }
            data = new DataInputStream(frame);
        }

        int u8() throws IOException {
            try {
                return data.readUnsignedByte();
            } catch (EOFException e) {
                throw malformed("the delta ends before END");
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        long u32() throws IOException {
            try {
                return data.readInt() & 0xFFFF_FFFFL;
            } catch (EOFException e) {
                throw malformed("the delta ends inside an operation");
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        long u64() throws IOException {
            try {
                return data.readLong();
            } catch (EOFException e) {
                throw malformed("the delta ends inside an operation");
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        void readFully(byte[] into, int length) throws IOException {
            try {
                data.readFully(into, 0, length);
            } catch (EOFException e) {
                throw malformed("the delta ends inside an operation");
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        /** True when the frame ends here; reaching its end is also what makes zstd check the frame checksum. */
        boolean atEnd() throws IOException {
            try {
                return data.read() < 0;
            } catch (RuntimeException e) {
                throw damaged(e);
            }
        }

        @Override
        public void close() {
            frame.close();
        }

        private static DeltaFormatException damaged(Exception e) {
            return malformed("the delta body is damaged: " + e.getMessage());
        }
    }

    /**
     * Decompresses exactly one zstd frame, then requires the delta to end. A streaming decoder
     * would go on into whatever follows (a second frame, a skippable frame); the format allows
     * nothing there, so this reads frame by frame and checks.
     */
    private static final class OneFrame extends InputStream {

        private final InputStream raw;
        private final ZstdDecompressCtx zstd = new ZstdDecompressCtx();
        private final ByteBuffer compressed = ByteBuffer.allocate(FILE_BUFFER).limit(0);
        private final byte[] single = new byte[1];
        private boolean frameDone;

        OneFrame(InputStream raw) {
            this.raw = raw;
            // The decoder refuses a frame that declares a bigger window instead of allocating it.
            zstd.setLongMax(DeltaFormat.MAX_WINDOW_LOG);
        }

        @Override
        public int read() throws IOException {
            return read(single, 0, 1) < 0 ? -1 : single[0] & 0xFF;
        }

        @Override
        public int read(byte[] into, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            ByteBuffer out = ByteBuffer.wrap(into, off, len);
            while (out.position() == off && !frameDone) {
                if (!compressed.hasRemaining() && !refill()) {
                    throw malformed("the delta ends inside its zstd frame");
                }
                frameDone = zstd.decompressByteBufferStream(out, compressed);
                if (frameDone && (compressed.hasRemaining() || raw.read() >= 0)) {
                    throw malformed("bytes after the delta's zstd frame");
                }
            }
            int produced = out.position() - off;
            return produced == 0 ? -1 : produced;
        }

        private boolean refill() throws IOException {
            int read = raw.read(compressed.array(), 0, compressed.capacity());
            if (read < 0) {
                return false;
            }
            compressed.position(0).limit(read);
            return true;
        }

        @Override
        public void close() {
            zstd.close();
        }
    }
}
