package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.testing.DeltaModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The positional scan finds exactly the initializers the full parser reads, and nothing in what is not a model. */
class OnnxTensorScanTest {

    @TempDir
    Path dir;

    @Test
    void findsEveryInitializersPayloadWithItsTypeAndWidth() throws Exception {
        for (DeltaModels.Mlp m : List.of(DeltaModels.mlp(16, 3, 1), DeltaModels.mlp(16, 3, 1).fp16(),
                DeltaModels.mlp(16, 3, 1).int8().tensorSetChanged())) {
            Path file = m.write(dir.resolve("m.onnx"));
            List<TensorRange> scanned = scan(file).orElseThrow();
            List<Onnx.TensorProto> parsed = Onnx.read(file).graph().initializer();
            assertEquals(parsed.size(), scanned.size());
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i < parsed.size(); i++) {
                Onnx.TensorProto p = parsed.get(i);
                TensorRange t = scanned.get(i);
                assertEquals(p.name(), t.name());
                assertEquals(p.dataType(), t.dataType());
                assertArrayEquals(p.dims(), t.dims());
                assertArrayEquals(p.rawData(), Arrays.copyOfRange(bytes, (int) t.offset(), (int) t.end()), p.name());
                int width = switch (p.dataType()) {
                    case Onnx.DataType.FLOAT -> 4;
                    case Onnx.DataType.FLOAT16 -> 2;
                    case Onnx.DataType.INT64 -> 8;
                    default -> 1;
                };
                assertEquals(width, t.width(), p.name());
            }
        }
    }

    @Test
    void packedFloatDataIsATensorOfWidthFour() throws Exception {
        Onnx.ModelProto m = Onnx.parse(DeltaModels.mlp(8, 3, 1).toBytes(), Onnx.ReadOptions.FULL);
        List<Onnx.TensorProto> inits = new ArrayList<>(m.graph().initializer());
        Onnx.TensorProto w0 = inits.get(0);
        float[] values = w0.floats();
        inits.set(0, new Onnx.TensorProto(w0.dims(), w0.dataType(), w0.name(), null, values, new int[0], new long[0],
                new double[0], new long[0], List.of(), null, 0, List.of(), 0, new byte[0]));
        Path file = dir.resolve("float-data.onnx");
        Onnx.write(m.withGraph(m.graph().withNodesAndInitializers(m.graph().node(), inits)), file);
        TensorRange t = scan(file).orElseThrow().get(0);
        assertEquals("w0", t.name());
        assertEquals(4, t.width());
        ByteBuffer payload = ByteBuffer.wrap(Files.readAllBytes(file), (int) t.offset(), (int) t.length()).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) assertEquals(v, payload.getFloat());
    }

    @Test
    void whatIsNotAModelHasNoTensorMap() throws Exception {
        byte[] model = DeltaModels.mlp(16, 3, 1).toBytes();
        assertTrue(scan(Files.write(dir.resolve("empty"), new byte[0])).isEmpty());
        assertTrue(scan(Files.write(dir.resolve("cut"), Arrays.copyOf(model, model.length - 7))).isEmpty());
        assertTrue(scan(Files.write(dir.resolve("text"), "hello, not a model".getBytes())).isEmpty());
        byte[] random = new byte[10_000];
        new java.util.Random(1).nextBytes(random);
        assertTrue(scan(Files.write(dir.resolve("random"), random)).isEmpty());
        // a valid protobuf message that is not a model: no graph
        assertTrue(scan(Files.write(dir.resolve("no-graph"), new byte[] {0x08, 0x07})).isEmpty());
    }

    @Test
    void moreInitializersThanTheCapHaveNoMap() throws Exception {
        byte[] oneByte = tensor(new byte[0], new byte[0]);
        assertEquals(16, scan(Files.write(dir.resolve("few"), model(oneByte, 16))).orElseThrow().size());
        assertTrue(scan(Files.write(dir.resolve("many"), model(oneByte, OnnxTensorScan.MAX_TENSORS + 1))).isEmpty());
    }

    @Test
    void aTensorOfMoreDimsThanTheRankCapHasNoMap() throws Exception {
        int rank = OnnxTensorScan.MAX_RANK;
        TensorRange t = scan(Files.write(dir.resolve("max-rank"), model(tensor(packedDims(rank), new byte[0]), 1)))
                .orElseThrow().get(0);
        assertEquals(rank, t.dims().length);
        // packed: refused from the field's length, before a single dim is kept
        assertTrue(scan(Files.write(dir.resolve("packed"), model(tensor(packedDims(rank + 1), new byte[0]), 1))).isEmpty());
        assertTrue(scan(Files.write(dir.resolve("huge"), model(tensor(packedDims(1 << 20), new byte[0]), 1))).isEmpty());
        // one key per dim
        byte[] unpacked = new byte[2 * (rank + 1)];
        for (int i = 0; i < rank + 1; i++) {
            unpacked[2 * i] = 0x08;
            unpacked[2 * i + 1] = 1;
        }
        assertTrue(scan(Files.write(dir.resolve("unpacked"), model(tensor(unpacked, new byte[0]), 1))).isEmpty());
    }

    @Test
    void namesBeyondTheNameBudgetHaveNoMap() throws Exception {
        byte[] name = new byte[1 << 16];
        Arrays.fill(name, (byte) 'n');
        byte[] named = tensor(new byte[0], field(0x42, name));
        int fits = (int) (OnnxTensorScan.MAX_TOTAL_NAME_BYTES / name.length);
        assertEquals(fits, scan(Files.write(dir.resolve("fits"), model(named, fits))).orElseThrow().size());
        assertTrue(scan(Files.write(dir.resolve("over"), model(named, fits + 1))).isEmpty());
    }

    /** A TensorProto of the given dims and name fields and a one-byte raw_data. */
    private static byte[] tensor(byte[] dims, byte[] name) {
        byte[] raw = field(0x4a, new byte[] {7});
        byte[] t = new byte[dims.length + name.length + raw.length];
        System.arraycopy(dims, 0, t, 0, dims.length);
        System.arraycopy(name, 0, t, dims.length, name.length);
        System.arraycopy(raw, 0, t, dims.length + name.length, raw.length);
        return t;
    }

    private static byte[] packedDims(int rank) {
        byte[] ones = new byte[rank];
        Arrays.fill(ones, (byte) 1);
        return field(0x0a, ones);
    }

    /** A ModelProto whose graph has {@code count} copies of one initializer. */
    private static byte[] model(byte[] initializer, int count) {
        byte[] entry = field(0x2a, initializer);
        byte[] graph = new byte[entry.length * count];
        for (int i = 0; i < count; i++) System.arraycopy(entry, 0, graph, i * entry.length, entry.length);
        return field(0x3a, graph);
    }

    private static byte[] field(int tag, byte[] payload) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payload.length + 8);
        out.write(tag);
        for (long n = payload.length; ; n >>>= 7) {
            if (n < 0x80) {
                out.write((int) n);
                break;
            }
            out.write((int) (n & 0x7f) | 0x80);
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static Optional<List<TensorRange>> scan(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return OnnxTensorScan.scan(ch);
        }
    }
}
