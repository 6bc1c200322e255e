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

    private static Optional<List<TensorRange>> scan(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return OnnxTensorScan.scan(ch);
        }
    }
}
