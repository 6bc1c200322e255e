package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.TfliteModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flatbuffer scan finds each constant buffer under its tensor's name and type, and refuses what does not hold together. */
class TfliteTensorScanTest {

    @TempDir
    Path dir;

    static List<TfliteModels.Tensor> tensors(long seed, double noise) {
        Random r = new Random(seed), n = new Random(seed + 1000);
        float[] w0 = new float[64 * 64], w1 = new float[64 * 32];
        for (int i = 0; i < w0.length; i++) w0[i] = (float) (r.nextGaussian() * 0.1 + noise * n.nextGaussian());
        for (int i = 0; i < w1.length; i++) w1[i] = (float) (r.nextGaussian() * 0.1 + noise * n.nextGaussian());
        byte[] q = new byte[1000];
        r.nextBytes(q);
        return List.of(new TfliteModels.Tensor("dense/kernel", TfliteModels.FLOAT32, new int[] {64, 64}, TfliteModels.floats(w0)),
                new TfliteModels.Tensor("dense_1/kernel", TfliteModels.FLOAT32, new int[] {64, 32}, TfliteModels.floats(w1)),
                new TfliteModels.Tensor("quantized", TfliteModels.INT8, new int[] {1000}, q),
                new TfliteModels.Tensor("half", TfliteModels.FLOAT16, new int[] {3}, new byte[6]));
    }

    @Test
    void findsEachBufferUnderItsTensor() throws Exception {
        List<TfliteModels.Tensor> in = tensors(1, 0);
        byte[] file = TfliteModels.model(in);
        List<TensorRange> found = scan(Files.write(dir.resolve("m.tflite"), file)).orElseThrow();
        assertEquals(in.size(), found.size());
        for (int i = 0; i < in.size(); i++) {
            TfliteModels.Tensor t = in.get(i);
            TensorRange r = found.get(i);
            assertEquals(t.name(), r.name());
            assertEquals(t.type(), r.dataType());
            assertArrayEquals(Arrays.stream(t.shape()).asLongStream().toArray(), r.dims());
            assertArrayEquals(t.data(), Arrays.copyOfRange(file, (int) r.offset(), (int) r.end()));
            assertEquals(t.type() == TfliteModels.FLOAT32 ? 4 : t.type() == TfliteModels.FLOAT16 ? 2 : 1, r.width());
        }
    }

    @Test
    void whatDoesNotHoldTogetherHasNoMap() throws Exception {
        byte[] file = TfliteModels.model(tensors(1, 0));
        assertTrue(scan(Files.write(dir.resolve("short"), Arrays.copyOf(file, 6))).isEmpty());
        byte[] noId = file.clone();
        noId[4] = 'X';
        assertTrue(scan(Files.write(dir.resolve("no-id"), noId)).isEmpty());
        byte[] rootOutside = file.clone();
        ByteBuffer.wrap(rootOutside).order(ByteOrder.LITTLE_ENDIAN).putInt(0, file.length + 100);
        assertTrue(scan(Files.write(dir.resolve("root"), rootOutside)).isEmpty());
        // cut inside the last buffer's data: its length now points past the end
        assertTrue(scan(Files.write(dir.resolve("cut"), Arrays.copyOf(file, file.length - 3))).isEmpty());
        // flipped bytes anywhere either still map within the file or give no map, never an exception
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] broken = file.clone();
            broken[8 + r.nextInt(file.length - 8)] ^= (byte) (1 + r.nextInt(255));
            Optional<List<TensorRange>> map = scan(Files.write(dir.resolve("flip"), broken));
            map.ifPresent(ranges -> ranges.forEach(t -> assertTrue(t.offset() >= 0 && t.end() <= broken.length)));
        }
    }

    private static Optional<List<TensorRange>> scan(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return TfliteTensorScan.scan(ch);
        }
    }
}
