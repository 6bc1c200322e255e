package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.testing.DeltaModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoding streams: a JVM whose heap is smaller than one model encodes a pair of them (what makes
 * a 500 MB model possible on a server that has other work). Runs {@link DeltaEncoding} in a child
 * process with {@code -Xmx}, since a heap cannot be limited for part of this one.
 */
class BoundedMemoryTest {

    @TempDir
    Path dir;

    /** Entry point of the child: base, target, format, output, scratch. */
    public static void main(String[] args) throws Exception {
        Path base = Path.of(args[0]), target = Path.of(args[1]);
        DeltaEncoding.Encoded e = DeltaEncoding.encode(new DeltaEncoding.Request(base, DeltaEncodingTest.sha256(base), target,
                DeltaEncodingTest.sha256(target), args[2], 3, Path.of(args[4])), Path.of(args[3]));
        System.out.println(e);
    }

    @Test
    void aHeapSmallerThanOneModelEncodesAPair() throws Exception {
        DeltaModels.Mlp v1 = DeltaModels.mlp(2048, 4, 21); // 67 MB of float32 weights
        Path base = v1.write(dir.resolve("v1.onnx"));
        Path target = v1.fineTuned(4).write(dir.resolve("v2.onnx"));
        // the encoders hold a few blocks of 4 MiB each, whatever the model
        long heap = 48L << 20;
        assertTrue(Files.size(target) > heap, "the model must not fit in the child's heap");
        Path delta = dir.resolve("delta"), log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (heap >> 20) + "m", "-cp", System.getProperty("java.class.path"), BoundedMemoryTest.class.getName(),
                base.toString(), target.toString(), "onnx", delta.toString(), dir.resolve("scratch").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // a generous deadline: the machine may be busy; the test waits for the result, it does not time it
        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child did not finish");
        assertEquals(0, child.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains(DeltaEncoding.ONNX_TENSORS), Files.readString(log));
        DeltaApplier.apply(delta, base, DeltaEncodingTest.sha256(base), dir.resolve("rebuilt"));
        assertEquals(-1L, Files.mismatch(target, dir.resolve("rebuilt")));
    }
}
