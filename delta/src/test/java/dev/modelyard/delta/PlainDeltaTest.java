package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainDeltaTest {

    @TempDir
    Path dir;

    @Test
    void aWholeFileCompressesAndRebuildsWithoutABase() throws IOException {
        // Text-like content over several operations: zstd must make it smaller.
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 9 << 20; i++) {
            text.append("layer.").append(i % 977).append(".weight shape=[").append(i % 64).append("]\n");
        }
        byte[] target = text.toString().getBytes();
        Path targetFile = Files.write(dir.resolve("model.txt"), target);
        Path deltaFile = dir.resolve("model.mydelta");
        try (OutputStream out = Files.newOutputStream(deltaFile);
                DeltaWriter writer = new DeltaWriter(out, new DeltaHeader(PlainDelta.METHOD, null, 0,
                        Deltas.sha256(target), target.length), Deltas.LEVEL)) {
            PlainDelta.encode(targetFile, writer);
            writer.finish();
        }
        assertTrue(Files.size(deltaFile) < target.length / 10, "compressed to " + Files.size(deltaFile));
        assertFalse(DeltaApplier.header(deltaFile).hasBase());
        Path rebuilt = dir.resolve("rebuilt");
        DeltaApplier.apply(deltaFile, null, null, rebuilt);
        assertArrayEquals(target, Files.readAllBytes(rebuilt));
    }
}
