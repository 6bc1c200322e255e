package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeltaHeaderTest {

    private static final String A = "a".repeat(64);
    private static final String B = "0123456789abcdef".repeat(4);

    private static byte[] bytes(DeltaHeader header) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header.write(out);
        return out.toByteArray();
    }

    private static DeltaFormatException refused(byte[] bytes) {
        return assertThrows(DeltaFormatException.class, () -> DeltaHeader.read(new ByteArrayInputStream(bytes)));
    }

    @Test
    void roundTripsWithABaseAndLeavesTheStreamAtTheBody() throws IOException {
        DeltaHeader header = new DeltaHeader("onnx-tensors", A, 123_456_789_012L, B, 42);
        byte[] bytes = Arrays.copyOf(bytes(header), bytes(header).length + 1);
        bytes[bytes.length - 1] = 77;
        InputStream in = new ByteArrayInputStream(bytes);
        assertEquals(header, DeltaHeader.read(in));
        assertTrue(header.hasBase());
        assertEquals(77, in.read());
    }

    @Test
    void roundTripsWithoutABaseAsZeroDigestAndFlagClear() throws IOException {
        DeltaHeader header = new DeltaHeader("planes", null, 0, B, 0);
        byte[] bytes = bytes(header);
        assertEquals(header, DeltaHeader.read(new ByteArrayInputStream(bytes)));
        assertFalse(header.hasBase());
        // magic 8, version 2, flags 2, base size 8, base digest 32, target size 8, digest 32, n 1, "planes" 6
        assertEquals(8 + 2 + 2 + 8 + 32 + 8 + 32 + 1 + 6, bytes.length);
        assertArrayEquals(DeltaFormat.MAGIC, Arrays.copyOf(bytes, 8));
        assertEquals(1, ByteBuffer.wrap(bytes, 8, 2).getShort());
        assertEquals(0, ByteBuffer.wrap(bytes, 10, 2).getShort());
        assertArrayEquals(new byte[32], Arrays.copyOfRange(bytes, 20, 52));
    }

    @Test
    void refusesAnotherVersionAsUnsupported() throws IOException {
        byte[] bytes = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        bytes[9] = 2;
        assertEquals(DeltaFormatException.Reason.UNSUPPORTED_VERSION, refused(bytes).reason());
    }

    @Test
    void refusesUnknownFlagsAsUnsupported() throws IOException {
        byte[] bytes = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        bytes[11] |= 2;
        assertEquals(DeltaFormatException.Reason.UNSUPPORTED_VERSION, refused(bytes).reason());
    }

    @Test
    void refusesAWrongMagic() throws IOException {
        byte[] bytes = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        bytes[0] = 'N';
        assertEquals(DeltaFormatException.Reason.MALFORMED, refused(bytes).reason());
    }

    @Test
    void refusesEveryTruncation() throws IOException {
        byte[] bytes = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        for (int length = 0; length < bytes.length; length++) {
            assertEquals(DeltaFormatException.Reason.MALFORMED, refused(Arrays.copyOf(bytes, length)).reason(),
                    "prefix of " + length);
        }
    }

    @Test
    void refusesABaselessHeaderThatNamesABase() throws IOException {
        byte[] sized = bytes(new DeltaHeader("planes", null, 0, B, 1));
        sized[19] = 5; // base size 5 with the flag clear
        assertEquals(DeltaFormatException.Reason.MALFORMED, refused(sized).reason());
        byte[] digest = bytes(new DeltaHeader("planes", null, 0, B, 1));
        digest[30] = 1; // a base digest with the flag clear
        assertEquals(DeltaFormatException.Reason.MALFORMED, refused(digest).reason());
    }

    @Test
    void refusesSizesBeyondSignedRangeAndBadMethodNames() throws IOException {
        byte[] size = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        size[52] = (byte) 0x80; // target size's top bit
        assertEquals(DeltaFormatException.Reason.MALFORMED, refused(size).reason());
        byte[] method = bytes(new DeltaHeader("cdc", A, 1, B, 1));
        method[method.length - 1] = 0x07;
        assertEquals(DeltaFormatException.Reason.MALFORMED, refused(method).reason());
        byte[] empty = bytes(new DeltaHeader("c", A, 1, B, 1));
        empty[empty.length - 2] = 0; // n = 0: no method name
        assertEquals(DeltaFormatException.Reason.MALFORMED,
                refused(Arrays.copyOf(empty, empty.length - 1)).reason());
    }

    @Test
    void constructorRefusesWhatCannotBeWritten() {
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("", A, 1, B, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("x".repeat(256), A, 1, B, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("cdc", A.toUpperCase(), 1, B, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("cdc", A, 1, "abc", 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("cdc", null, 3, B, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("cdc", A, -1, B, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeltaHeader("cdc", A, 1, B, -1));
    }
}
