package dev.modelyard.server.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.modelyard.server.conversion.Ort;
import dev.modelyard.server.conversion.TestModels;
import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxProtoTest {

    @TempDir
    Path dir;

    @Test
    void builtModelsRunInOnnxRuntime() throws Exception {
        Path mlp = TestModels.write(TestModels.mlp(16, 32, 4, 1), dir.resolve("mlp.onnx"));
        try (OrtSession s = Ort.load(mlp);
             OnnxTensor x = OnnxTensor.createTensor(Ort.env(), FloatBuffer.wrap(new float[2 * 16]), new long[]{2, 16});
             OrtSession.Result r = s.run(Map.of("x", x))) {
            assertArrayEquals(new long[]{2, 4}, ((OnnxTensor) r.get("y").orElseThrow()).getInfo().getShape());
        }
        Path cnn = TestModels.write(TestModels.cnn(2), dir.resolve("cnn.onnx"));
        float[] image = new float[3 * 16 * 16];
        Arrays.fill(image, 0.5f);
        try (OrtSession s = Ort.load(cnn);
             OnnxTensor x = OnnxTensor.createTensor(Ort.env(), FloatBuffer.wrap(image), new long[]{1, 3, 16, 16});
             OrtSession.Result r = s.run(Map.of("image", x))) {
            OnnxTensor logits = (OnnxTensor) r.get("logits").orElseThrow();
            assertArrayEquals(new long[]{1, 10}, logits.getInfo().getShape());
            float[] v = new float[10];
            logits.getFloatBuffer().get(v);
            assertTrue(Arrays.stream(new double[]{v[0], v[1], v[9]}).anyMatch(d -> d != 0), "the network computes something");
        }
    }

    @Test
    void readWriteRoundTripIsExactAndKeepsUnknownFields() throws Exception {
        byte[] original = TestModels.bytes(TestModels.cnn(3));
        assertArrayEquals(original, Onnx.toBytes(Onnx.parse(original, Onnx.ReadOptions.FULL)));

        // Add fields the schema subset does not model to ModelProto: field 1000 (bytes), field 99
        // (varint), a fixed64 and a fixed32 field; and NodeProto field 8 (overload) below.
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        extra.writeBytes(new byte[]{(byte) 0xc2, 0x3e, 3, 'a', 'b', 'c'});          // field 1000, LEN
        extra.writeBytes(new byte[]{(byte) 0x98, 0x06, (byte) 0x96, 0x01});          // field 99, varint 150
        extra.writeBytes(new byte[]{(byte) 0x81, 0x07, 1, 2, 3, 4, 5, 6, 7, 8});     // field 112, fixed64
        extra.writeBytes(new byte[]{(byte) 0x8d, 0x07, 9, 9, 9, 9});                 // field 113, fixed32
        byte[] withExtra = concat(original, extra.toByteArray());
        ModelProto m = Onnx.parse(withExtra, Onnx.ReadOptions.FULL);
        assertEquals(extra.size(), m.unknown().length);
        byte[] rewritten = Onnx.toBytes(m);
        assertEquals(withExtra.length, rewritten.length);
        assertArrayEquals(m.unknown(), Onnx.parse(rewritten, Onnx.ReadOptions.FULL).unknown());

        NodeProto n = m.graph().node().get(0);
        NodeProto withOverload = new NodeProto(n.input(), n.output(), n.name(), n.opType(), n.domain(), n.attribute(),
                n.docString(), new byte[]{0x42, 2, 'o', 'v'});
        List<NodeProto> nodes = new java.util.ArrayList<>(m.graph().node());
        nodes.set(0, withOverload);
        ModelProto changed = m.withGraph(m.graph().withNodesAndInitializers(nodes, m.graph().initializer()));
        NodeProto back = Onnx.parse(Onnx.toBytes(changed), Onnx.ReadOptions.FULL).graph().node().get(0);
        assertArrayEquals(new byte[]{0x42, 2, 'o', 'v'}, back.unknown());

        // The rewritten file still runs.
        Path p = dir.resolve("rewritten.onnx");
        Files.write(p, rewritten);
        Ort.load(p).close();
    }

    @Test
    void unpackedRepeatedFieldsAreRead() throws Exception {
        // TensorProto: dims 2 and 3 one key each (field 1 varint), data_type FLOAT, float_data unpacked (field 4, fixed32).
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.writeBytes(new byte[]{0x08, 2, 0x08, 3, 0x10, 1});
        for (int i = 0; i < 6; i++) {
            int bits = Float.floatToIntBits(i);
            t.writeBytes(new byte[]{0x25, (byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)});
        }
        // ModelProto { ir_version 8, graph { initializer <t> } }
        byte[] graph = concat(new byte[]{0x2a, (byte) t.size()}, t.toByteArray());
        byte[] model = concat(new byte[]{0x08, 8, 0x3a, (byte) graph.length}, graph);
        Onnx.TensorProto tensor = Onnx.parse(model, Onnx.ReadOptions.FULL).graph().initializer().get(0);
        assertArrayEquals(new long[]{2, 3}, tensor.dims());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, tensor.floats());
    }

    @Test
    void manyValuesSentOneKeyEachAreReadInLinearTime() {
        int n = 300_000;
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.writeBytes(new byte[]{0x08, (byte) 0xe0, (byte) 0xa7, 0x12, 0x10, 1}); // dims 300000, FLOAT
        for (int i = 0; i < n; i++) t.writeBytes(new byte[]{0x25, 0, 0, (byte) 0x80, 0x3f}); // float_data 1.0
        byte[] tensor = t.toByteArray();
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        g.write(0x2a);
        varint(g, tensor.length);
        g.writeBytes(tensor);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        model.writeBytes(new byte[]{0x08, 8, 0x3a});
        varint(model, g.size());
        model.writeBytes(g.toByteArray());
        float[] values = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Onnx.parse(model.toByteArray(), Onnx.ReadOptions.FULL).graph().initializer().get(0).floats());
        assertEquals(n, values.length);
        assertEquals(1f, values[n - 1]);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    @Test
    void fileReadMatchesArrayRead() throws Exception {
        ModelProto m = TestModels.mlp(300, 200, 10, 4);
        Path p = TestModels.write(m, dir.resolve("m.onnx"));
        ModelProto full = Onnx.read(p);
        assertArrayEquals(Files.readAllBytes(p), Onnx.toBytes(full));
        ModelProto structure = Onnx.read(p, Onnx.ReadOptions.STRUCTURE);
        assertEquals(4, structure.graph().initializer().size());
        assertEquals(null, structure.graph().initializer().get(0).rawData());
        assertEquals(4L * 300 * 200, structure.graph().initializer().get(0).skippedDataBytes());
        assertEquals(300L * 200, structure.graph().initializer().get(0).elementCount());
    }

    @Test
    void structureReadsSkipDocStringsAndBoundOtherFields() throws Exception {
        ModelProto m = TestModels.mlp(4, 4, 2, 1);
        ModelProto documented = new ModelProto(m.irVersion(), m.opsetImport(), m.producerName(), m.producerVersion(),
                m.domain(), m.modelVersion(), "d".repeat(3 << 20), m.graph(), m.metadataProps(), m.unknown());
        Path p = TestModels.write(documented, dir.resolve("documented.onnx"));
        assertEquals(null, Onnx.read(p, Onnx.ReadOptions.STRUCTURE).docString());
        assertEquals(3 << 20, Onnx.read(p).docString().length());

        NodeProto n = m.graph().node().get(0);
        NodeProto longName = new NodeProto(n.input(), n.output(), "n".repeat(2 << 20), n.opType(), n.domain(),
                n.attribute(), n.docString(), n.unknown());
        List<NodeProto> nodes = new java.util.ArrayList<>(m.graph().node());
        nodes.set(0, longName);
        Path q = TestModels.write(m.withGraph(m.graph().withNodesAndInitializers(nodes, m.graph().initializer())),
                dir.resolve("long-name.onnx"));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> Onnx.read(q, Onnx.ReadOptions.STRUCTURE));
        assertTrue(e.getMessage().contains("NodeProto.name at byte") && e.getMessage().contains("more than the 1048576 bytes"),
                e.getMessage());
    }

    @Test
    void everyTruncationIsAPreciseFormatError() throws Exception {
        byte[] b = TestModels.bytes(TestModels.mlp(4, 5, 2, 5));
        for (int len = 1; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            try {
                ModelProto m = Onnx.parse(cut, Onnx.ReadOptions.FULL);
                // A cut between two top-level fields is a well-formed (smaller) message.
                assertNotNull(m);
            } catch (OnnxFormatException e) {
                assertTrue(e.getMessage().contains("byte"), e.getMessage());
            }
        }
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> Onnx.parse(Arrays.copyOf(b, b.length / 2), Onnx.ReadOptions.FULL));
        assertTrue(e.getMessage().matches("(?s).*(truncated at byte \\d+ while reading|past the end).*"), e.getMessage());
    }

    @Test
    void corruptBytesNeverEscapeAsOtherExceptions() throws Exception {
        byte[] b = TestModels.bytes(TestModels.cnn(6));
        Random r = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] c = b.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) c[r.nextInt(c.length)] = (byte) r.nextInt(256);
            try {
                Onnx.parse(c, Onnx.ReadOptions.FULL);
            } catch (OnnxFormatException expected) {
                // the point: nothing else is thrown, nothing huge is allocated
            }
        }
        for (int trial = 0; trial < 200; trial++) {
            byte[] c = new byte[1 + r.nextInt(4096)];
            r.nextBytes(c);
            try {
                Onnx.parse(c, Onnx.ReadOptions.FULL);
            } catch (OnnxFormatException expected) {
                // as above
            }
        }
    }

    @Test
    void namesTheProblem() {
        // graph (field 7) claims 2^40 bytes
        assertMessage(new byte[]{0x08, 8, 0x3a, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20},
                "truncated at byte 9 while reading ModelProto.graph");
        // a length that is negative as a signed 64-bit value
        assertMessage(new byte[]{0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, "negative length");
        // ir_version sent as length-delimited
        assertMessage(new byte[]{0x0a, 1, 0}, "ModelProto.ir_version at byte 0 has wire type 2 (length-delimited), expected 0 (varint)");
        // group wire type
        assertMessage(new byte[]{0x0b}, "unsupported wire type 3");
        // field number 0
        assertMessage(new byte[]{0x00, 0x00}, "invalid field number 0");
        // a varint that never ends
        assertMessage(new byte[]{0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, "malformed varint");
        // a node (inside the graph) whose length runs past the graph's end
        assertMessage(new byte[]{0x3a, 3, 0x0a, 5, 0x22, 0, 0, 0, 0, 0, 0}, "GraphProto.node at byte 4 needs 5 bytes, past the end of its enclosing message at byte 5");
        // op_type that is not UTF-8
        assertMessage(new byte[]{0x3a, 5, 0x0a, 3, 0x22, 1, (byte) 0xff}, "NodeProto.op_type ending at byte 7 is not valid UTF-8");
    }

    @Test
    void refusesNestingBeyondTheDepthLimit() throws Exception {
        GraphProto g = TestModels.mlp(2, 2, 2, 1).graph();
        for (int i = 0; i < 40; i++) {
            AttributeProto then = new AttributeProto("then_branch", Onnx.AttributeType.GRAPH, 0, 0, null, null, g,
                    new float[0], new long[0], List.of(), List.of(), List.of(), null, new byte[0]);
            g = new GraphProto(List.of(new NodeProto("If", List.of("c"), List.of("y"), "if" + i, List.of(then))), "g" + i,
                    List.of(), List.of(), g.output());
        }
        byte[] deep = Onnx.toBytes(TestModels.model(g));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> Onnx.parse(deep, Onnx.ReadOptions.FULL));
        assertTrue(e.getMessage().contains("nested more than 64 messages deep"), e.getMessage());
    }

    private static void assertMessage(byte[] bytes, String expected) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> Onnx.parse(bytes, Onnx.ReadOptions.FULL));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
