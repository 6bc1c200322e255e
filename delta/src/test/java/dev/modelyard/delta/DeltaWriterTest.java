package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Describing what the header rules out is a programming error, caught before it reaches a device. */
class DeltaWriterTest {

    @TempDir
    Path dir;

    private final byte[] base = Deltas.random(1, 1000);
    private final byte[] target = Deltas.random(2, 64);

    private DeltaWriter writer(byte[] withBase, ByteArrayOutputStream out) throws IOException {
        return new DeltaWriter(out, Deltas.header(withBase, target), Deltas.LEVEL);
    }

    @Test
    void refusesWidthsAndLengthsThatAreNotElements() throws IOException {
        try (DeltaWriter writer = writer(base, new ByteArrayOutputStream())) {
            assertThrows(IllegalArgumentException.class, () -> writer.planes(target, 0, 12, 3));
            assertThrows(IllegalArgumentException.class, () -> writer.planes(target, 0, 10, 4));
            assertThrows(IllegalArgumentException.class, () -> writer.xorPlanes(0, base, 0, target, 0, 16, 16));
            assertThrows(IllegalArgumentException.class, () -> writer.xorPlanes(0, base, 0, target, 0, 6, 4));
            assertEquals(0, writer.targetBytes());
        }
    }

    @Test
    void refusesCopiesWithoutABaseOrOutsideIt() throws IOException {
        try (DeltaWriter writer = writer(null, new ByteArrayOutputStream())) {
            assertThrows(IllegalArgumentException.class, () -> writer.copy(0, 1));
        }
        try (DeltaWriter writer = writer(base, new ByteArrayOutputStream())) {
            assertThrows(IllegalArgumentException.class, () -> writer.copy(990, 11));
            assertThrows(IllegalArgumentException.class, () -> writer.copy(-1, 1));
            assertThrows(IllegalArgumentException.class, () -> writer.xorPlanes(996, base, 0, target, 0, 8, 4));
        }
    }

    @Test
    void refusesMoreOrFewerBytesThanTheTarget() throws IOException {
        try (DeltaWriter writer = writer(base, new ByteArrayOutputStream())) {
            writer.literal(target, 0, 60);
            assertThrows(IllegalArgumentException.class, () -> writer.copy(0, 5));
            assertEquals(60, writer.targetBytes());
            assertThrows(IllegalStateException.class, writer::finish);
            writer.literal(target, 60, 4);
            writer.finish();
            assertThrows(IllegalStateException.class, () -> writer.literal(target, 0, 1));
        }
    }

    @Test
    void refusesLevelsZstdDoesNotHave() {
        assertThrows(IllegalArgumentException.class,
                () -> new DeltaWriter(new ByteArrayOutputStream(), Deltas.header(base, target), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new DeltaWriter(new ByteArrayOutputStream(), Deltas.header(base, target), 23));
    }

    @Test
    void aWriterClosedBeforeFinishLeavesAFileNoReaderAccepts() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeltaWriter writer = writer(base, out)) {
            writer.literal(target, 0, target.length); // all of it, but no END
        }
        assertEquals(DeltaFormatException.Reason.MALFORMED, assertThrows(DeltaFormatException.class,
                () -> Deltas.apply(dir, base, out.toByteArray())).reason());
    }
}
