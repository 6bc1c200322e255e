package dev.modelyard.delta;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The uncompressed start of a delta file (see {@link DeltaFormat}).
 *
 * @param method       informational name of the encoder that made it ("onnx-tensors", "cdc", "planes", …):
 *                     1 to 255 printable US-ASCII characters
 * @param baseSha256   lower-case hex SHA-256 of the base, or null when the file needs no base (a compressed full file)
 * @param baseSize     size of the base in bytes; 0 without a base
 * @param targetSha256 lower-case hex SHA-256 of the file the delta rebuilds
 * @param targetSize   size of that file in bytes
 */
public record DeltaHeader(String method, String baseSha256, long baseSize, String targetSha256, long targetSize) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern METHOD = Pattern.compile("[\\x20-\\x7e]{1,255}");
    private static final int DIGEST_BYTES = 32;
    private static final byte[] NO_BASE_DIGEST = new byte[DIGEST_BYTES];
    private static final HexFormat HEX = HexFormat.of();

    /** A header that could not be written faithfully is a programming error, refused here rather than by a device. */
    public DeltaHeader {
        if (method == null || !METHOD.matcher(method).matches()) {
            throw new IllegalArgumentException("method must be 1-255 printable US-ASCII characters: " + method);
        }
        if (baseSha256 != null && !SHA256_HEX.matcher(baseSha256).matches()) {
            throw new IllegalArgumentException("baseSha256 must be 64 lower-case hex digits: " + baseSha256);
        }
        if (targetSha256 == null || !SHA256_HEX.matcher(targetSha256).matches()) {
            throw new IllegalArgumentException("targetSha256 must be 64 lower-case hex digits: " + targetSha256);
        }
        if (baseSize < 0 || targetSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative: base " + baseSize + ", target " + targetSize);
        }
        if (baseSha256 == null && baseSize != 0) {
            throw new IllegalArgumentException("a header without a base has base size 0, not " + baseSize);
        }
    }

    public boolean hasBase() {
        return baseSha256 != null;
    }

    /** Writes the header; the body follows. */
    public void write(OutputStream out) throws IOException {
        byte[] name = method.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(DeltaFormat.MAGIC.length + 2 + 2 + 8 + DIGEST_BYTES + 8 + DIGEST_BYTES
                + 1 + name.length);
        buffer.put(DeltaFormat.MAGIC)
                .putShort((short) DeltaFormat.VERSION)
                .putShort((short) (hasBase() ? DeltaFormat.FLAG_HAS_BASE : 0))
                .putLong(baseSize)
                .put(hasBase() ? HEX.parseHex(baseSha256) : NO_BASE_DIGEST)
                .putLong(targetSize)
                .put(HEX.parseHex(targetSha256))
                .put((byte) name.length)
                .put(name);
        out.write(buffer.array());
    }

    /**
     * Reads and checks a header (magic, version, flags, sizes, method name); the stream is left at the body.
     *
     * @throws DeltaFormatException {@code UNSUPPORTED_VERSION} for another version or unknown flags,
     *                              {@code MALFORMED} for anything else that is not a header
     */
    public static DeltaHeader read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            byte[] magic = new byte[DeltaFormat.MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, DeltaFormat.MAGIC)) {
                throw malformed("not a delta file (wrong magic)");
            }
            int version = data.readUnsignedShort();
            if (version != DeltaFormat.VERSION) {
                throw new DeltaFormatException(DeltaFormatException.Reason.UNSUPPORTED_VERSION,
                        "delta format version " + version + ", this reader knows " + DeltaFormat.VERSION);
            }
            int flags = data.readUnsignedShort();
            if ((flags & ~DeltaFormat.FLAG_HAS_BASE) != 0) {
                // A later writer's feature this reader cannot honour: refuse rather than misread the body.
                throw new DeltaFormatException(DeltaFormatException.Reason.UNSUPPORTED_VERSION,
                        "unknown header flags 0x" + Integer.toHexString(flags));
            }
            boolean hasBase = (flags & DeltaFormat.FLAG_HAS_BASE) != 0;
            long baseSize = data.readLong();
            byte[] baseDigest = new byte[DIGEST_BYTES];
            data.readFully(baseDigest);
            long targetSize = data.readLong();
            byte[] targetDigest = new byte[DIGEST_BYTES];
            data.readFully(targetDigest);
            int nameLength = data.readUnsignedByte();
            byte[] name = new byte[nameLength];
            data.readFully(name);
            return checked(hasBase, baseSize, baseDigest, targetSize, targetDigest, name);
        } catch (EOFException e) {
            throw malformed("delta header is truncated");
        }
    }

    private static DeltaHeader checked(boolean hasBase, long baseSize, byte[] baseDigest, long targetSize,
            byte[] targetDigest, byte[] name) throws DeltaFormatException {
        if (baseSize < 0 || targetSize < 0) {
            throw malformed("delta header has a size beyond 2^63-1");
        }
        if (!hasBase && (baseSize != 0 || !Arrays.equals(baseDigest, NO_BASE_DIGEST))) {
            throw malformed("delta header without a base names a base");
        }
        String method = new String(name, StandardCharsets.US_ASCII);
        if (!METHOD.matcher(method).matches()) {
            throw malformed("delta header's method name is not 1-255 printable US-ASCII characters");
        }
        return new DeltaHeader(method, hasBase ? HEX.formatHex(baseDigest) : null, baseSize,
                HEX.formatHex(targetDigest), targetSize);
    }

    private static DeltaFormatException malformed(String message) {
        return new DeltaFormatException(DeltaFormatException.Reason.MALFORMED, message);
    }
}
