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

    @Test
    void tensorsSharingOneLongNameBeyondTheNameBudgetHaveNoMap() throws Exception {
        // every tensor's name is the same 64 KiB string: a few bytes per tensor in the file, 64 KiB each in memory
        int longName = 1 << 16;
        int fits = (int) (TfliteTensorScan.MAX_NAME_BYTES / longName);
        assertTrue(scan(Files.write(dir.resolve("fits"), sharedNameModel(fits, longName))).isPresent(),
                "at the budget the file is still a model");
        assertTrue(scan(Files.write(dir.resolve("over"), sharedNameModel(fits + 1, longName))).isEmpty(),
                "one name more and the file has no map");
    }

    @Test
    void moreTensorsThanTheCapHaveNoMap() throws Exception {
        int cap = (int) TfliteTensorScan.MAX_TENSORS;
        assertTrue(scan(Files.write(dir.resolve("over"), sharedNameModel(cap + 1, 1))).isEmpty());
        // a small file of the same shape is a model: it is the count that refuses the big one
        assertTrue(scan(Files.write(dir.resolve("small"), sharedNameModel(16, 1))).isPresent());
    }

    /**
     * A flatbuffer model of one subgraph whose {@code count} tensors each use their own buffer and
     * all point their name at one string of {@code nameLength} bytes (the model has no buffer vector,
     * so a scan that accepts it maps nothing, but must read every name first).
     */
    static byte[] sharedNameModel(int count, int nameLength) {
        int tensorTables = 68 + 4 * count;
        int string = tensorTables + 12 * count;
        ByteBuffer f = ByteBuffer.allocate(string + 4 + nameLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(0, 40).put(4, (byte) 'T').put(5, (byte) 'F').put(6, (byte) 'L').put(7, (byte) '3');
        // vtables: Model {subgraphs @4}, SubGraph {tensors @4}, Tensor {buffer @4, name @8}
        f.putShort(8, (short) 10).putShort(10, (short) 8).putShort(16, (short) 4);
        f.putShort(20, (short) 6).putShort(22, (short) 8).putShort(24, (short) 4);
        f.putShort(28, (short) 12).putShort(30, (short) 12).putShort(36, (short) 4).putShort(38, (short) 8);
        f.putInt(40, 40 - 8).putInt(44, 48 - 44);        // Model table -> subgraphs vector
        f.putInt(48, 1).putInt(52, 56 - 52);             // [one subgraph]
        f.putInt(56, 56 - 20).putInt(60, 64 - 60);       // SubGraph table -> tensors vector
        f.putInt(64, count);
        for (int i = 0; i < count; i++) {
            int table = tensorTables + 12 * i;
            f.putInt(68 + 4 * i, table - (68 + 4 * i));
            f.putInt(table, table - 28).putInt(table + 4, i + 1).putInt(table + 8, string - (table + 8));
        }
        f.putInt(string, nameLength);
        for (int i = 0; i < nameLength; i++) f.put(string + 4 + i, (byte) 'n');
        return f.array();
    }

    private static Optional<List<TensorRange>> scan(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return TfliteTensorScan.scan(ch);
        }
    }
}
