package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBytesTest {

    @TempDir
    Path dir;

    @Test
    void readsABlockAtAPositionAndStopsOnlyAtTheEnd() throws Exception {
        byte[] content = new byte[300_000];
        new Random(3).nextBytes(content);
        Path file = Files.write(dir.resolve("f"), content);
        try (FileChannel ch = FileChannel.open(file)) {
            byte[] into = new byte[200_010];
            assertEquals(200_000, FileBytes.read(ch, 50_000, into, 10, 200_000));
            assertArrayEquals(Arrays.copyOfRange(content, 50_000, 250_000), Arrays.copyOfRange(into, 10, 200_010));
            assertEquals(0, ch.position(), "a positional read leaves the channel where it was");

            // past the end: what there is, and readFully says it was not all
            assertEquals(1_000, FileBytes.read(ch, 299_000, into, 0, 5_000));
            assertArrayEquals(Arrays.copyOfRange(content, 299_000, 300_000), Arrays.copyOf(into, 1_000));
            assertFalse(FileBytes.readFully(ch, 299_000, into, 0, 5_000));
            assertTrue(FileBytes.readFully(ch, 0, into, 0, 5_000));
            assertEquals(0, FileBytes.read(ch, 400_000, into, 0, 10));
        }
    }

    @Test
    void sha256IsTheStandardDigest() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(FileBytes.sha256().digest("abc".getBytes())));
    }
}
