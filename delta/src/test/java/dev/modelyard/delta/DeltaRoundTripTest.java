package dev.modelyard.delta;

import static dev.modelyard.delta.Deltas.apply;
import static dev.modelyard.delta.Deltas.delta;
import static dev.modelyard.delta.Deltas.ops;
import static dev.modelyard.delta.Deltas.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeltaRoundTripTest {

    private static final int MAX = DeltaFormat.MAX_OPERATION_BYTES;

    @TempDir
    Path dir;

    @Test
    void copyRebuildsTheBase() throws IOException {
        byte[] base = Deltas.random(1, 100_000);
        byte[] target = Arrays.copyOfRange(base, 1000, 51_000);
        byte[] delta = delta(base, target, w -> w.copy(1000, 50_000));
        assertArrayEquals(target, apply(dir, base, delta));
        assertEquals(List.of(new Deltas.Op(DeltaFormat.COPY, 1000, 50_000, 0)), ops(delta));
    }

    @Test
    void literalCarriesBytes() throws IOException {
        byte[] base = Deltas.random(2, 10);
        byte[] target = Deltas.random(3, 70_000);
        byte[] delta = delta(base, target, w -> w.literal(target, 0, target.length));
        assertArrayEquals(target, apply(dir, base, delta));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void planesCarryElements(int width) throws IOException {
        byte[] target = Deltas.floats(width, 8000);
        byte[] delta = delta(null, target, w -> w.planes(target, 0, target.length, width));
        assertArrayEquals(target, apply(dir, null, delta));
        assertEquals(List.of(new Deltas.Op(DeltaFormat.PLANES, -1, target.length, width)), ops(delta));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void xorPlanesRebuildFromTheBase(int width) throws IOException {
        byte[] base = Deltas.floats(10 + width, 8000);
        byte[] target = nudged(base, width);
        byte[] delta = delta(base, target, w -> w.xorPlanes(0, base, 0, target, 0, target.length, width));
        assertArrayEquals(target, apply(dir, base, delta));
    }

    @Test
    void aMixOfEveryKindInTargetOrder() throws IOException {
        byte[] base = Deltas.floats(20, 50_000);
        byte[] changed = nudged(Arrays.copyOfRange(base, 40_000, 80_000), 4);
        byte[] fresh = Deltas.floats(21, 5_000);
        byte[] text = "a name in the middle".getBytes();
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        target.write(base, 0, 40_000);
        target.write(changed);
        target.write(text);
        target.write(fresh);
        target.write(base, 120_000, 80_000);
        byte[] expected = target.toByteArray();
        byte[] delta = delta(base, expected, w -> {
            w.copy(0, 40_000);
            w.xorPlanes(40_000, base, 40_000, changed, 0, changed.length, 4);
            w.literal(text, 0, text.length);
            w.planes(fresh, 0, fresh.length, 4);
            w.copy(120_000, 80_000);
        });
        assertArrayEquals(expected, apply(dir, base, delta));
        assertEquals(5, ops(delta).size());
    }

    @Test
    void withoutABaseNoBaseIsNeeded() throws IOException {
        byte[] target = Deltas.floats(30, 30_000);
        byte[] delta = delta(null, target, w -> {
            w.literal(target, 0, 100);
            w.planes(target, 100, target.length - 100, 4);
        });
        assertArrayEquals(target, apply(dir, null, delta, null));
        // A compressed full file needs no base, so whatever the device has installed does not matter.
        assertArrayEquals(target, apply(dir, Deltas.random(31, 5), delta, "b".repeat(64)));
        assertFalse(DeltaApplier.header(write("full.mydelta", delta)).hasBase());
    }

    @Test
    void anEmptyTarget() throws IOException {
        byte[] delta = delta(null, new byte[0], w -> { });
        assertArrayEquals(new byte[0], apply(dir, null, delta));
        assertEquals(List.of(), ops(delta));
    }

    @Test
    void contiguousCopiesMergeAndSmallLiteralsGather() throws IOException {
        byte[] base = Deltas.random(40, 10_000);
        byte[] target = new byte[9_000];
        System.arraycopy(base, 0, target, 0, 3_000);
        byte[] small = Deltas.random(41, 3_000);
        System.arraycopy(small, 0, target, 3_000, 3_000);
        System.arraycopy(base, 5_000, target, 6_000, 3_000);
        byte[] delta = delta(base, target, w -> {
            for (int i = 0; i < 3_000; i += 100) {
                w.copy(i, 100);
            }
            for (int i = 0; i < 3_000; i += 7) {
                w.literal(small, i, Math.min(7, 3_000 - i));
            }
            w.copy(5_000, 1_000);
            w.copy(6_000, 2_000);
        });
        assertArrayEquals(target, apply(dir, base, delta));
        assertEquals(List.of(
                new Deltas.Op(DeltaFormat.COPY, 0, 3_000, 0),
                new Deltas.Op(DeltaFormat.LITERAL, -1, 3_000, 0),
                new Deltas.Op(DeltaFormat.COPY, 5_000, 3_000, 0)), ops(delta));
    }

    @Test
    void largeTargetsAreCutIntoBoundedOperations() throws IOException {
        int floats = 5 * MAX / 4 + 1000; // planes over 5 operations' worth, not a multiple of the bound
        byte[] base = Deltas.floats(50, 3 * MAX / 4 + floats);
        byte[] tensor = nudged(Arrays.copyOfRange(base, 3 * MAX, 3 * MAX + 4 * floats), 4);
        byte[] literal = Deltas.random(51, 2 * MAX + 17);
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        target.write(base, 0, 3 * MAX);
        target.write(tensor);
        target.write(literal);
        target.write(tensor, 0, 4 * floats);
        byte[] expected = target.toByteArray();
        byte[] delta = delta(base, expected, w -> {
            w.copy(0, 3 * MAX);
            w.xorPlanes(3 * MAX, base, 3 * MAX, tensor, 0, tensor.length, 4);
            w.literal(literal, 0, literal.length);
            w.planes(tensor, 0, tensor.length, 8);
        });
        assertTrue(expected.length > 40 << 20, "tens of MiB: " + expected.length);
        assertArrayEquals(expected, apply(dir, base, delta));
        List<Deltas.Op> ops = ops(delta);
        assertTrue(ops.stream().allMatch(op -> op.length() > 0 && op.length() <= MAX), ops::toString);
        assertTrue(ops.stream().allMatch(op -> op.width() == 0 || op.length() % op.width() == 0), ops::toString);
        assertEquals(3, ops.stream().filter(op -> op.kind() == DeltaFormat.COPY).count());
        assertEquals(6, ops.stream().filter(op -> op.kind() == DeltaFormat.XOR_PLANES).count());
        assertEquals(3, ops.stream().filter(op -> op.kind() == DeltaFormat.LITERAL).count());
        assertEquals(6, ops.stream().filter(op -> op.kind() == DeltaFormat.PLANES).count());
    }

    @Test
    void filesRebuildOnDiskAndReportWhatWasWritten() throws IOException {
        byte[] base = Deltas.floats(60, 100_000);
        byte[] target = nudged(base, 4);
        byte[] delta = delta(base, target, w -> w.xorPlanes(0, base, 0, target, 0, target.length, 4));
        Path baseFile = write("base.onnx", base);
        Path targetFile = dir.resolve("target.onnx");
        Files.write(targetFile, new byte[] {9, 9, 9}); // replaced, not appended to
        DeltaApplier.Applied applied = DeltaApplier.apply(write("d.mydelta", delta), baseFile, sha256(base),
                targetFile);
        assertArrayEquals(target, Files.readAllBytes(targetFile));
        assertEquals(sha256(target), HexFormat.of().formatHex(applied.sha256()));
        assertEquals(target.length, applied.size());
        assertEquals(Deltas.header(base, target), applied.header());
        assertTrue(delta.length < target.length / 2, "nudged floats compress: " + delta.length);
    }

    @Test
    void aFailedApplyLeavesNoTargetFile() throws IOException {
        byte[] base = Deltas.random(70, 50_000);
        byte[] target = Deltas.random(71, 50_000);
        byte[] delta = delta(base, target, w -> w.literal(target, 0, target.length));
        byte[] cut = Arrays.copyOf(delta, delta.length - 40);
        Path targetFile = dir.resolve("t.bin");
        assertThrows(DeltaFormatException.class, () -> DeltaApplier.apply(write("cut.mydelta", cut),
                write("b.bin", base), sha256(base), targetFile));
        assertFalse(Files.exists(targetFile));
    }

    @Test
    void theTargetMustNotBeTheBase() throws IOException {
        byte[] base = Deltas.random(80, 1000);
        Path baseFile = write("same.bin", base);
        Path deltaFile = write("same.mydelta", delta(base, base, w -> w.copy(0, base.length)));
        assertThrows(IllegalArgumentException.class,
                () -> DeltaApplier.apply(deltaFile, baseFile, sha256(base), baseFile));
        assertArrayEquals(base, Files.readAllBytes(baseFile));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** {@code base} with the low bytes of some elements changed, as fine-tuning changes weights. */
    static byte[] nudged(byte[] base, int width) {
        byte[] target = base.clone();
        for (int i = 0; i + width <= target.length; i += 3 * width) {
            target[i] ^= (byte) (i * 31 + 7);
        }
        return target;
    }
}
