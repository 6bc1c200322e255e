package dev.modelyard.server.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.TfliteMlp;
import dev.modelyard.testing.TfliteModels;
import dev.modelyard.testing.TfliteModels.Graph;
import dev.modelyard.testing.TfliteModels.Op;
import dev.modelyard.testing.TfliteModels.Quantization;
import dev.modelyard.testing.TfliteModels.TensorSpec;
import dev.modelyard.wire.IoSignature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfliteInspectorTest {

    private static final TfliteMlp MLP = TfliteMlp.seeded(3, 8, 16, 4);

    @TempDir
    Path dir;

    @Test
    void describesARunnableModel() throws Exception {
        TfliteInspector.Report r = inspect(MLP.float32());
        assertEquals(3, r.version());
        assertEquals(1, r.subgraphs());
        assertEquals(8, r.tensors());
        assertEquals(List.of(new TfliteInspector.Tensor("input", "float32", List.of(1L, 8L))), r.inputs());
        assertEquals(List.of(new TfliteInspector.Tensor("output", "float32", List.of(1L, 4L))), r.outputs());
        assertEquals(8 * 16 + 16 + 16 * 4 + 4, r.parameterCount());
        assertEquals(Map.of("9", 2, "19", 1), r.operators());
        assertEquals("modelyard-tests", r.description());
        IoSignature sig = r.ioSignature().orElseThrow();
        assertEquals(List.of(new IoSignature.TensorSpec("input", "float32", List.of(1L, 8L))), sig.inputs());
        assertEquals(List.of(new IoSignature.TensorSpec("output", "float32", List.of(1L, 4L))), sig.outputs());

        TfliteInspector.Report q = inspect(MLP.int8());
        assertEquals("int8", q.inputs().get(0).dtype());
        assertEquals("int8", q.ioSignature().orElseThrow().outputs().get(0).dtype());
    }

    @Test
    void aShapeSignatureMarksDynamicDimensions() throws Exception {
        Graph g = MLP.graph();
        g = g.withTensor(0, g.tensors().get(0).withShapeSignature(-1, 8));
        TfliteInspector.Report r = inspect(TfliteModels.write(g));
        assertEquals(List.of(-1L, 8L), r.ioSignature().orElseThrow().inputs().get(0).shape());
        refused(TfliteModels.write(g.withTensor(0, g.tensors().get(0).withShapeSignature(-1))),
                "subgraphs[0].tensors[0].shape_signature has rank 1 but shape has rank 2");
        refused(TfliteModels.write(g.withTensor(0, g.tensors().get(0).withShapeSignature(-2, 8))),
                "subgraphs[0].tensors[0].shape_signature[0] is -2");
    }

    @Test
    void theOperatorOnlyFilesOfTheDeltaTestsAreModelsWithoutOutputs() throws Exception {
        byte[] weightsOnly = TfliteModels.model(List.of(new TfliteModels.Tensor("w", TfliteModels.FLOAT32, new int[] {2},
                TfliteModels.floats(new float[] {1, 2}))));
        refused(weightsOnly, "subgraphs[0] (the main subgraph) has no outputs");
    }

    @Test
    void refusesWhatIsNotTflite() throws Exception {
        refused(new byte[0], "not a TensorFlow Lite model: the file is empty");
        refused(new byte[] {1, 2, 3}, "not a TensorFlow Lite model: the file is 3 bytes, too short for a flatbuffer");
        byte[] wrongId = MLP.float32();
        wrongId[7] = '2';
        refused(wrongId, "not a TensorFlow Lite model: the file identifier is 'TFL2', not TFL3");
        byte[] random = new byte[4000];
        new Random(5).nextBytes(random);
        random[4] = 'T';
        random[5] = 'F';
        random[6] = 'L';
        random[7] = '3';
        refused(random, "not a valid TensorFlow Lite model: ");
    }

    @Test
    void refusesTruncatedFilesAtEveryLength() throws Exception {
        byte[] b = MLP.float32();
        // Every prefix: whatever the cut breaks is found, never an exception of another kind.
        for (int n = 8; n < b.length; n += 7) {
            byte[] cut = Arrays.copyOf(b, n);
            TfliteFormatException e = assertThrows(TfliteFormatException.class, () -> inspect(cut), "cut at " + n);
            assertTrue(e.getMessage().startsWith("not a valid TensorFlow Lite model: "), e.getMessage());
        }
    }

    @Test
    void refusesReferencesToWhatDoesNotExist() throws Exception {
        Graph g = MLP.graph();
        refused(TfliteModels.write(g.withTensor(1, g.tensors().get(1).withBuffer(5))),
                "subgraphs[0].tensors[1].buffer 5 is out of range: the model has 5 buffers");
        refused(TfliteModels.write(g.withOperator(1, new Op(2, new int[] {3}, new int[] {4}, 0))),
                "subgraphs[0].operators[1].opcode_index 2 is out of range: the model has 2 operator codes");
        refused(TfliteModels.write(g.withOperator(0, new Op(0, new int[] {0, 1, 8}, new int[] {3}, TfliteModels.FULLY_CONNECTED_OPTIONS))),
                "subgraphs[0].operators[0].inputs[2] is tensor 8, out of range: the subgraph has 8 tensors");
        refused(TfliteModels.write(g.withOperator(0, new Op(0, new int[] {0, 1, 2}, new int[] {-1}, TfliteModels.FULLY_CONNECTED_OPTIONS))),
                "subgraphs[0].operators[0].outputs[0] is tensor -1");
        refused(TfliteModels.write(new Graph(g.operatorCodes(), g.tensors(), g.operators(), new int[] {0}, new int[] {9}, g.buffers())),
                "subgraphs[0].outputs[0] is tensor 9, out of range");
        // -1 marks an optional input left out (a FULLY_CONNECTED without bias)
        inspect(TfliteModels.write(g.withOperator(0, new Op(0, new int[] {0, 1, -1}, new int[] {3}, TfliteModels.FULLY_CONNECTED_OPTIONS))));
    }

    @Test
    void refusesInconsistentQuantization() throws Exception {
        Graph g = MLP.int8Graph();
        TensorSpec w = g.tensors().get(1);
        refused(TfliteModels.write(g.withTensor(1, new TensorSpec(w.name(), w.type(), w.shape(), null, w.buffer(),
                        new Quantization(new float[] {0.1f, 0.2f}, new long[] {0}, 0)))),
                "subgraphs[0].tensors[1].quantization has 2 scales but 1 zero points");
        float[] perChannel = new float[16];
        Arrays.fill(perChannel, 0.01f);
        Graph perRow = g.withTensor(1, new TensorSpec(w.name(), w.type(), w.shape(), null, w.buffer(),
                new Quantization(perChannel, new long[16], 0)));
        inspect(TfliteModels.write(perRow));
        refused(TfliteModels.write(g.withTensor(1, new TensorSpec(w.name(), w.type(), w.shape(), null, w.buffer(),
                        new Quantization(perChannel, new long[16], 1)))),
                "subgraphs[0].tensors[1].quantization has 16 scales for dimension 1 of size 8");
        refused(TfliteModels.write(g.withTensor(1, new TensorSpec(w.name(), w.type(), w.shape(), null, w.buffer(),
                        new Quantization(perChannel, new long[16], 2)))),
                "quantized_dimension 2 is not a dimension of a rank-2 tensor");
        refused(TfliteModels.write(g.withTensor(1, new TensorSpec(w.name(), w.type(), w.shape(), null, w.buffer(),
                        Quantization.perTensor(Float.NaN, 0)))),
                "subgraphs[0].tensors[1].quantization.scale[0] is NaN");
    }

    @Test
    void refusesAbsurdCountsBeforeReadingThem() throws Exception {
        byte[] b = MLP.float32();
        long tensorsVector = tensorsVector(b);
        refused(withU32(b, tensorsVector, 0x7fffffff),
                "subgraphs[0].tensors has 2147483647 entries, more than the 262144 allowed");
        refused(withU32(b, tensorsVector, 100_000), "subgraphs[0].tensors of 100000 entries runs past the end of the file");
        TfliteInspector.Limits few = new TfliteInspector.Limits(4, 4, 4, 4, 4, 64, 4, 1000);
        TfliteFormatException e = assertThrows(TfliteFormatException.class, () -> TfliteInspector.inspect(write(b), few));
        assertEquals("not a valid TensorFlow Lite model: Model.buffers has 5 entries, more than the 4 allowed", e.getMessage());
    }

    @Test
    void refusesBuffersThatShareBytesOrLieOutsideTheFile() throws Exception {
        Graph g = MLP.graph();
        refused(TfliteModels.write(new Graph(g.operatorCodes(), g.tensors(), g.operators(), g.inputs(), g.outputs(),
                        List.of(new byte[] {1}, g.buffers().get(1), g.buffers().get(2), g.buffers().get(3), g.buffers().get(4)))),
                "buffers[0] must be the empty buffer");
        byte[] b = MLP.float32();
        // Point buffer 1's data at buffer 2's (offsets are relative to their slot and only point forward).
        FlatBufferReader r = reader(b);
        long model = r.root("TFL3");
        long buffers = r.vector(r.field(model, 4), 4, 100, "buffers");
        long slot1 = r.field(r.table(buffers, 1), 0), slot2 = r.field(r.table(buffers, 2), 0);
        long data2 = r.deref(slot2);
        refused(withU32(b, slot1, data2 - slot1), "buffers[1] and buffers[2] share bytes");
    }

    private long tensorsVector(byte[] b) throws IOException {
        FlatBufferReader r = reader(b);
        long model = r.root("TFL3");
        long subgraph = r.table(r.vector(r.field(model, 2), 4, 10, "subgraphs"), 0);
        return r.deref(r.field(subgraph, 0));
    }

    private FlatBufferReader reader(byte[] b) throws IOException {
        return new FlatBufferReader(FileChannel.open(write(b), StandardOpenOption.READ));
    }

    private static byte[] withU32(byte[] b, long at, long value) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, (int) value);
        return c;
    }

    private Path write(byte[] b) throws IOException {
        return Files.write(Files.createTempFile(dir, "m", ".tflite"), b);
    }

    private TfliteInspector.Report inspect(byte[] b) throws IOException {
        return TfliteInspector.inspect(write(b), TfliteInspector.Limits.DEFAULT);
    }

    private void refused(byte[] b, String message) {
        TfliteFormatException e = assertThrows(TfliteFormatException.class, () -> inspect(b));
        assertTrue(e.getMessage().contains(message), () -> "expected '" + message + "' in: " + e.getMessage());
    }
}
