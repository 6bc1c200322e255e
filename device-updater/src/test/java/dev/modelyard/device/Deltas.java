package dev.modelyard.device;

import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.delta.DeltaWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Delta files for tests, written with the delta format's own writer as the server's encoders do. */
public final class Deltas {

    private Deltas() {
    }

    /** A delta that rebuilds {@code target} from {@code base}: the equal start and end copied, the middle as XOR planes. */
    public static byte[] delta(byte[] base, byte[] target) throws IOException {
        return delta(base, target, new DeltaHeader("test-xor", sha256(base), base.length, sha256(target), target.length));
    }

    /** As {@link #delta(byte[], byte[])} under the header given, which may lie about what it rebuilds. */
    public static byte[] delta(byte[] base, byte[] target, DeltaHeader header) throws IOException {
        int prefix = 0;
        while (prefix < Math.min(base.length, target.length) && base[prefix] == target[prefix]) prefix++;
        int suffix = 0;
        while (suffix < Math.min(base.length, target.length) - prefix
                && base[base.length - 1 - suffix] == target[target.length - 1 - suffix]) suffix++;
        int middle = target.length - prefix - suffix;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeltaWriter w = new DeltaWriter(out, header, 3)) {
            w.copy(0, prefix);
            if (middle == base.length - prefix - suffix) w.xorPlanes(prefix, base, prefix, target, prefix, middle, 1);
            else w.literal(target, prefix, middle);
            w.copy(base.length - suffix, suffix);
            w.finish();
        }
        return out.toByteArray();
    }

    /** {@code target} compressed in byte planes of 4-byte elements, without a base. */
    public static byte[] compressed(byte[] target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeltaWriter w = new DeltaWriter(out, new DeltaHeader("planes", null, 0, sha256(target), target.length), 3)) {
            int whole = target.length - target.length % 4;
            w.planes(target, 0, whole, 4);
            w.literal(target, whole, target.length - whole);
            w.finish();
        }
        return out.toByteArray();
    }

    /**
     * A copy of a model from {@link dev.modelyard.testing.OnnxModels#mlp} with one of the three
     * lowest bits of about every third byte flipped at random between 40 % and 50 % of the file:
     * inside its largest weight tensor, as a fine-tune of some layers changes them, and still a
     * valid model (an exponent changes by at most 2^3, so no weight becomes infinite or NaN; for an
     * input of zeros it answers as before).
     */
    public static byte[] someWeightsChanged(byte[] model) {
        byte[] out = model.clone();
        java.util.Random random = new java.util.Random(42);
        for (int i = out.length * 4 / 10; i < out.length / 2; i++) {
            if (random.nextInt(3) == 0) out[i] ^= (byte) (1 << random.nextInt(3));
        }
        return out;
    }

    /** Halfway through the zstd stream after the header (DeltaFormat: 93 bytes and the method's name, here "test-xor"). */
    public static int middleOfBody(byte[] delta) {
        int header = 93 + "test-xor".length();
        if (delta.length <= header + 64) throw new IllegalArgumentException("a delta with too small a body to corrupt: " + delta.length);
        return header + (delta.length - header) / 2;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
