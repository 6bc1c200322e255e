package dev.modelyard.delta;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Test helpers: digests, random content, applying in memory, and reading or forging a delta body. */
final class Deltas {

    static final int LEVEL = 3;

    private Deltas() {
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Little-endian floats that drift a little from {@code base}: the case byte planes are for. */
    static byte[] floats(long seed, int count) {
        Random random = new Random(seed);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(count * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putFloat((float) random.nextGaussian() * 0.05f);
        }
        return buffer.array();
    }

    static DeltaHeader header(byte[] base, byte[] target) {
        return base == null
                ? new DeltaHeader("test", null, 0, sha256(target), target.length)
                : new DeltaHeader("test", sha256(base), base.length, sha256(target), target.length);
    }

    interface Ops {
        void write(DeltaWriter writer) throws IOException;
    }

    static byte[] delta(byte[] base, byte[] target, Ops ops) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DeltaWriter writer = new DeltaWriter(bytes, header(base, target), LEVEL)) {
            ops.write(writer);
            writer.finish();
        }
        return bytes.toByteArray();
    }

    /** Applies {@code delta} to {@code base} (written to a file, as a device has it) and returns the result. */
    static byte[] apply(Path dir, byte[] base, byte[] delta, String expectedBase) throws IOException {
        Path baseFile = Files.createTempFile(dir, "base", ".bin");
        Files.write(baseFile, base == null ? new byte[0] : base);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FileChannel channel = FileChannel.open(baseFile, StandardOpenOption.READ)) {
            DeltaApplier.Applied applied = DeltaApplier.apply(new ByteArrayInputStream(delta), channel, expectedBase, out);
            byte[] result = out.toByteArray();
            if (applied.size() != result.length || !HexFormat.of().formatHex(applied.sha256()).equals(sha256(result))) {
                throw new AssertionError("Applied does not describe what was written");
            }
            return result;
        } finally {
            Files.delete(baseFile);
        }
    }

    static byte[] apply(Path dir, byte[] base, byte[] delta) throws IOException {
        return apply(dir, base, delta, base == null ? null : sha256(base));
    }

    /** One operation as the body carries it. */
    record Op(int kind, long baseOffset, long length, int width) {
    }

    /** The operations of a well-formed delta, read independently of the applier. */
    static List<Op> ops(byte[] delta) {
        try {
            InputStream in = new ByteArrayInputStream(delta);
            DeltaHeader.read(in);
            DataInputStream body = new DataInputStream(new ZstdInputStreamNoFinalizer(in));
            List<Op> ops = new ArrayList<>();
            while (true) {
                int kind = body.readUnsignedByte();
                switch (kind) {
                    case DeltaFormat.END -> {
                        return ops;
                    }
                    case DeltaFormat.COPY -> ops.add(new Op(kind, body.readLong(), body.readInt() & 0xFFFFFFFFL, 0));
                    case DeltaFormat.LITERAL -> {
                        long length = body.readInt() & 0xFFFFFFFFL;
                        body.skipNBytes(length);
                        ops.add(new Op(kind, -1, length, 0));
                    }
                    case DeltaFormat.PLANES -> {
                        long length = body.readInt() & 0xFFFFFFFFL;
                        int width = body.readUnsignedByte();
                        body.skipNBytes(length);
                        ops.add(new Op(kind, -1, length, width));
                    }
                    case DeltaFormat.XOR_PLANES -> {
                        long offset = body.readLong();
                        long length = body.readInt() & 0xFFFFFFFFL;
                        int width = body.readUnsignedByte();
                        body.skipNBytes(length);
                        ops.add(new Op(kind, offset, length, width));
                    }
                    default -> throw new AssertionError("unknown kind " + kind);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A delta with a valid header and checksummed zstd frame around whatever body bytes a test forges. */
    static byte[] forged(DeltaHeader header, BodyBytes body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        header.write(bytes);
        try (ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(bytes, LEVEL)) {
            zstd.setChecksum(true);
            DataOutputStream data = new DataOutputStream(zstd);
            body.write(data);
            data.flush();
        }
        return bytes.toByteArray();
    }

    interface BodyBytes {
        void write(DataOutputStream body) throws IOException;
    }
}
