package dev.modelyard.delta;

import static dev.modelyard.delta.Deltas.apply;
import static dev.modelyard.delta.Deltas.delta;
import static dev.modelyard.delta.Deltas.forged;
import static dev.modelyard.delta.Deltas.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed delta ends in a DeltaFormatException with the right reason, never in a wrong file. */
class DeltaRobustnessTest {

    private static final DeltaFormatException.Reason MALFORMED = DeltaFormatException.Reason.MALFORMED;
    private static final DeltaFormatException.Reason WRONG_BASE = DeltaFormatException.Reason.WRONG_BASE;
    private static final DeltaFormatException.Reason TARGET_MISMATCH = DeltaFormatException.Reason.TARGET_MISMATCH;

    @TempDir
    Path dir;

    private final byte[] base = Deltas.floats(1, 20_000);
    private final byte[] target = target();

    private byte[] target() {
        byte[] target = new byte[90_000];
        System.arraycopy(base, 0, target, 0, 30_000);
        byte[] changed = DeltaRoundTripTest.nudged(Arrays.copyOfRange(base, 30_000, 60_000), 4);
        System.arraycopy(changed, 0, target, 30_000, 30_000);
        System.arraycopy(Deltas.random(2, 10_000), 0, target, 60_000, 10_000);
        System.arraycopy(Deltas.floats(3, 5_000), 0, target, 70_000, 20_000);
        return target;
    }

    private byte[] validDelta() throws IOException {
        return delta(base, target, w -> {
            w.copy(0, 30_000);
            w.xorPlanes(30_000, base, 30_000, target, 30_000, 30_000, 4);
            w.literal(target, 60_000, 10_000);
            w.planes(target, 70_000, 20_000, 2);
        });
    }

    private FileChannel baseChannel;

    @BeforeEach
    void openBase() throws IOException {
        baseChannel = FileChannel.open(Files.write(dir.resolve("the-base"), base), StandardOpenOption.READ);
    }

    @AfterEach
    void closeBase() throws IOException {
        baseChannel.close();
    }

    private DeltaFormatException refused(byte[] delta) {
        return assertThrows(DeltaFormatException.class, () -> applyToBase(delta));
    }

    /** Applies to the base file opened once, so that the many-case tests stay fast. */
    private byte[] applyToBase(byte[] delta) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeltaApplier.apply(new ByteArrayInputStream(delta), baseChannel, sha256(base), out);
        return out.toByteArray();
    }

    @Test
    void theValidDeltaApplies() throws IOException {
        assertArrayEquals(target, apply(dir, base, validDelta()));
    }

    @Test
    void aDeltaForAnotherBaseIsRefusedBeforeAnythingIsWritten() throws IOException {
        byte[] delta = validDelta();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path baseFile = Files.write(dir.resolve("base"), base);
        try (FileChannel channel = FileChannel.open(baseFile, StandardOpenOption.READ)) {
            DeltaFormatException e = assertThrows(DeltaFormatException.class, () -> DeltaApplier.apply(
                    new ByteArrayInputStream(delta), channel, "c".repeat(64), out));
            assertEquals(WRONG_BASE, e.reason());
            assertEquals(WRONG_BASE, assertThrows(DeltaFormatException.class, () -> DeltaApplier.apply(
                    new ByteArrayInputStream(delta), channel, null, out)).reason());
            assertEquals(WRONG_BASE, assertThrows(DeltaFormatException.class, () -> DeltaApplier.apply(
                    new ByteArrayInputStream(delta), null, sha256(base), out)).reason());
        }
        assertEquals(0, out.size());
        // The digest the caller expects matches, but the file is not that base: its size tells.
        assertEquals(WRONG_BASE, assertThrows(DeltaFormatException.class,
                () -> apply(dir, Arrays.copyOf(base, base.length - 1), delta, sha256(base))).reason());
        // A base file that is missing is a wrong base too, and no target is left behind.
        Path targetFile = dir.resolve("target");
        assertEquals(WRONG_BASE, assertThrows(DeltaFormatException.class, () -> DeltaApplier.apply(
                Files.write(dir.resolve("d"), delta), dir.resolve("missing"), sha256(base), targetFile)).reason());
        assertTrue(Files.notExists(targetFile));
    }

    @Test
    void aBaseWithTheRightSizeButOtherBytesRebuildsNothingWrong() throws IOException {
        byte[] other = base.clone();
        other[100] ^= 1; // inside the copied range
        assertEquals(TARGET_MISMATCH, assertThrows(DeltaFormatException.class,
                () -> apply(dir, other, validDelta(), sha256(base))).reason());
    }

    @Test
    void truncationsAnywhereAreRefused() throws IOException {
        byte[] delta = validDelta();
        // Every cut in the header, the frame's start and its end (last block, checksum); a stride between.
        int stride = Math.max(1, delta.length / 1000);
        for (int length = 0; length < delta.length; length += (length < 300 || length > delta.length - 300) ? 1 : stride) {
            assertEquals(MALFORMED, refused(Arrays.copyOf(delta, length)).reason(), "prefix of " + length);
        }
    }

    @Test
    void randomByteFlipsAreRefusedOrHarmless() throws IOException {
        byte[] delta = validDelta();
        Random random = new Random(20261201);
        int refusedCount = 0;
        for (int round = 0; round < 400; round++) {
            byte[] damaged = delta.clone();
            int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++) {
                damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
            }
            byte[] result;
            try {
                result = applyToBase(damaged);
            } catch (DeltaFormatException e) {
                refusedCount++;
                continue;
            }
            // Only a flip in an informational byte (the method name) may pass, and then the result is exact.
            assertArrayEquals(target, result, "round " + round);
        }
        assertTrue(refusedCount > 350, "refused " + refusedCount + " of 400");
    }

    @Test
    void aChecksumFlipIsRefused() throws IOException {
        byte[] delta = validDelta();
        delta[delta.length - 1] ^= 1; // the zstd frame's content checksum
        assertEquals(MALFORMED, refused(delta).reason());
    }

    @Test
    void anOperationLengthBeyondTheBoundIsRefusedBeforeItsBytesAreRead() throws IOException {
        for (long length : new long[] {DeltaFormat.MAX_OPERATION_BYTES + 1L, 0xFFFF_FFFFL}) {
            byte[] delta = forged(Deltas.header(base, target), body -> {
                body.writeByte(DeltaFormat.LITERAL);
                body.writeInt((int) length);
                // no bytes follow: a reader that allocated and read first would say "ends inside"
            });
            DeltaFormatException e = refused(delta);
            assertEquals(MALFORMED, e.reason());
            assertTrue(e.getMessage().contains("operation length " + length), e.getMessage());
        }
    }

    @Test
    void aZeroLengthOperationIsRefused() throws IOException {
        byte[] delta = forged(Deltas.header(base, target), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(0);
            body.writeInt(0);
        });
        assertTrue(refused(delta).getMessage().contains("operation length 0"));
    }

    @Test
    void bytesAfterEndAreRefused() throws IOException {
        byte[] opAfterEnd = forged(Deltas.header(base, base), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(0);
            body.writeInt(base.length);
            body.writeByte(DeltaFormat.END);
            body.writeByte(DeltaFormat.END);
        });
        DeltaFormatException inside = assertThrows(DeltaFormatException.class, () -> apply(dir, base, opAfterEnd));
        assertEquals(MALFORMED, inside.reason());
        assertTrue(inside.getMessage().contains("after END"), inside.getMessage());

        byte[] valid = delta(base, base, w -> w.copy(0, base.length));
        assertArrayEquals(base, apply(dir, base, valid));
        byte[] trailing = Arrays.copyOf(valid, valid.length + 5);
        assertEquals(MALFORMED, assertThrows(DeltaFormatException.class, () -> apply(dir, base, trailing)).reason());
        // Frames a streaming zstd decoder would pass over silently are refused too: the body is one frame.
        byte[] skippableFrame = {0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
        for (byte[] frame : new byte[][] {Zstd.compress(new byte[0]), skippableFrame}) {
            byte[] withFrame = Arrays.copyOf(valid, valid.length + frame.length);
            System.arraycopy(frame, 0, withFrame, valid.length, frame.length);
            DeltaFormatException e = assertThrows(DeltaFormatException.class, () -> apply(dir, base, withFrame));
            assertEquals(MALFORMED, e.reason());
            assertTrue(e.getMessage().contains("after the delta's zstd frame"), e.getMessage());
        }
    }

    @Test
    void aCopyBeyondTheBaseIsRefused() throws IOException {
        for (long offset : new long[] {base.length - 99, Long.MAX_VALUE - 50, -1}) {
            byte[] delta = forged(Deltas.header(base, target), body -> {
                body.writeByte(DeltaFormat.COPY);
                body.writeLong(offset);
                body.writeInt(100);
            });
            assertEquals(MALFORMED, refused(delta).reason(), "offset " + offset);
        }
        byte[] xor = forged(Deltas.header(base, target), body -> {
            body.writeByte(DeltaFormat.XOR_PLANES);
            body.writeLong(base.length - 4);
            body.writeInt(8);
            body.writeByte(4);
            body.write(new byte[8]);
        });
        assertEquals(MALFORMED, refused(xor).reason());
        // Without a base there is nothing to copy from at all.
        byte[] baseless = forged(Deltas.header(null, target), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(0);
            body.writeInt(1);
        });
        assertEquals(MALFORMED, assertThrows(DeltaFormatException.class, () -> apply(dir, null, baseless)).reason());
    }

    @Test
    void unknownKindsAndBadWidthsAreRefused() throws IOException {
        assertEquals(MALFORMED, refused(forged(Deltas.header(base, target), body -> body.writeByte(5))).reason());
        for (int[] lengthAndWidth : new int[][] {{12, 3}, {10, 4}, {16, 16}, {16, 0}}) {
            byte[] delta = forged(Deltas.header(base, target), body -> {
                body.writeByte(DeltaFormat.PLANES);
                body.writeInt(lengthAndWidth[0]);
                body.writeByte(lengthAndWidth[1]);
                body.write(new byte[lengthAndWidth[0]]);
            });
            assertEquals(MALFORMED, refused(delta).reason(), Arrays.toString(lengthAndWidth));
        }
    }

    @Test
    void moreOrFewerBytesThanTheTargetOrOtherBytesAreAMismatch() throws IOException {
        byte[] tooMuch = forged(Deltas.header(base, Arrays.copyOf(base, 100)), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(0);
            body.writeInt(101);
        });
        assertEquals(TARGET_MISMATCH, refused(tooMuch).reason());
        byte[] tooLittle = forged(Deltas.header(base, Arrays.copyOf(base, 100)), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(0);
            body.writeInt(99);
            body.writeByte(DeltaFormat.END);
        });
        assertEquals(TARGET_MISMATCH, refused(tooLittle).reason());
        byte[] otherBytes = forged(Deltas.header(base, Arrays.copyOf(base, 100)), body -> {
            body.writeByte(DeltaFormat.COPY);
            body.writeLong(1);
            body.writeInt(100);
            body.writeByte(DeltaFormat.END);
        });
        assertEquals(TARGET_MISMATCH, refused(otherBytes).reason());
    }

    @Test
    void aWindowBeyondTheBoundIsRefusedNotAllocated() throws IOException {
        byte[] big = Deltas.random(9, 9 << 20);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Deltas.header(null, big).write(bytes);
        try (ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(bytes, 1)) {
            zstd.setChecksum(true);
            zstd.setWindowLog(DeltaFormat.MAX_WINDOW_LOG + 4);
            DataOutputStream body = new DataOutputStream(zstd);
            for (int off = 0; off < big.length; off += DeltaFormat.MAX_OPERATION_BYTES) {
                int n = Math.min(DeltaFormat.MAX_OPERATION_BYTES, big.length - off);
                body.writeByte(DeltaFormat.LITERAL);
                body.writeInt(n);
                body.write(big, off, n);
            }
            body.writeByte(DeltaFormat.END);
            body.flush();
        }
        DeltaFormatException e = assertThrows(DeltaFormatException.class, () -> apply(dir, null, bytes.toByteArray()));
        assertEquals(MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("memory"), e.getMessage()); // zstd's "requires too much memory"
        // The same body within the bound applies: it is the window that was refused.
        assertArrayEquals(big, apply(dir, null, delta(null, big, w -> w.literal(big, 0, big.length))));
    }
}
