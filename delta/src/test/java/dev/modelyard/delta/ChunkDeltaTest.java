package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkDeltaTest {

    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    private final byte[] base = Deltas.random(1, SIZE);

    /** Encodes, applies the result to the base on disk and checks it rebuilds {@code target}; returns the delta. */
    private byte[] roundTrip(byte[] base, byte[] target) throws IOException {
        Path baseFile = Files.write(dir.resolve("base"), base);
        Path targetFile = Files.write(dir.resolve("target"), target);
        Path deltaFile = dir.resolve("delta");
        try (OutputStream out = Files.newOutputStream(deltaFile);
                DeltaWriter writer = new DeltaWriter(out, header(base, target), Deltas.LEVEL)) {
            ChunkDelta.encode(baseFile, targetFile, writer);
            writer.finish();
        }
        Path rebuilt = dir.resolve("rebuilt");
        DeltaApplier.apply(deltaFile, baseFile, Deltas.sha256(base), rebuilt);
        assertArrayEquals(target, Files.readAllBytes(rebuilt));
        return Files.readAllBytes(deltaFile);
    }

    private static DeltaHeader header(byte[] base, byte[] target) {
        return new DeltaHeader(ChunkDelta.METHOD, Deltas.sha256(base), base.length, Deltas.sha256(target),
                target.length);
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.write(insert, 0, insert.length);
        out.write(bytes, at + remove, bytes.length - at - remove);
        return out.toByteArray();
    }

    @Test
    void identicalFilesCostAlmostNothing() throws IOException {
        byte[] delta = roundTrip(base, base);
        assertTrue(delta.length < 300, "identical: " + delta.length);
        // Every chunk matched and merged: copies cut only at the operation bound.
        List<Deltas.Op> ops = Deltas.ops(delta);
        assertEquals(SIZE / DeltaFormat.MAX_OPERATION_BYTES, ops.size(), ops::toString);
        assertTrue(ops.stream().allMatch(op -> op.kind() == DeltaFormat.COPY));
    }

    @Test
    void aOneByteInsertionNearTheStartCostsAboutOneChunk() throws IOException {
        byte[] target = splice(base, 100, 0, new byte[] {42});
        byte[] delta = roundTrip(base, target);
        // Random bytes do not compress: the literal is the chunk the insertion fell in, the rest copies.
        assertTrue(delta.length < 4 * Chunker.AVERAGE_CHUNK, "one-byte insertion: " + delta.length);
        assertTrue(Deltas.ops(delta).stream().filter(op -> op.kind() == DeltaFormat.LITERAL).count() <= 2);
    }

    @Test
    void editsInTheMiddleCostAboutWhatChanged() throws IOException {
        byte[] inserted = Deltas.random(2, 100_000);
        byte[] target = splice(base, SIZE / 2, 0, inserted);
        target = splice(target, SIZE / 4, 50_000, new byte[0]); // a deletion
        byte[] changed = target.clone();
        for (int i = 3 * SIZE / 4; i < 3 * SIZE / 4 + 30_000; i++) {
            changed[i] ^= 0x5A; // changed in place
        }
        byte[] delta = roundTrip(base, changed);
        int changedBytes = inserted.length + 30_000;
        assertTrue(delta.length < changedBytes + 6 * Chunker.MAX_CHUNK,
                "changed " + changedBytes + " bytes, delta " + delta.length);
    }

    @Test
    void seededRandomEditsAllRoundTrip() throws IOException {
        Random random = new Random(7);
        byte[] smallBase = Arrays.copyOf(base, 1 << 20);
        for (int round = 0; round < 8; round++) {
            byte[] target = smallBase;
            for (int edit = 0; edit < 1 + random.nextInt(6); edit++) {
                int at = random.nextInt(target.length);
                int remove = Math.min(random.nextInt(20_000), target.length - at);
                byte[] insert = Deltas.random(random.nextLong(), random.nextInt(20_000));
                target = splice(target, at, remove, insert);
            }
            roundTrip(smallBase, target);
        }
    }

    @Test
    void unrelatedFilesCostAboutTheTarget() throws IOException {
        byte[] target = Deltas.random(3, 3 << 20);
        byte[] delta = roundTrip(base, target);
        assertTrue(Deltas.ops(delta).stream().noneMatch(op -> op.kind() == DeltaFormat.COPY));
        assertTrue(delta.length < target.length + target.length / 100, "unrelated: " + delta.length);
    }

    @Test
    void repetitiveAndTinyFiles() throws IOException {
        byte[] zeros = new byte[1 << 20];
        byte[] moreZeros = new byte[(1 << 20) + 12_345];
        assertTrue(roundTrip(zeros, moreZeros).length < 1000);
        roundTrip(new byte[0], Deltas.random(4, 100));
        roundTrip(Deltas.random(5, 100), new byte[0]);
        roundTrip(Deltas.random(6, 1000), Deltas.random(6, 1500));
    }

    @Test
    void cutsDependOnContentNotPosition() {
        byte[] shifted = splice(base, 0, 0, new byte[] {1, 2, 3});
        int first = Chunker.cut(base, 0, base.length);
        int cutInShifted = Chunker.cut(shifted, 3, shifted.length - 3);
        assertEquals(first, cutInShifted);
        assertTrue(first >= Chunker.MIN_CHUNK && first <= Chunker.MAX_CHUNK);
    }
}
