package dev.modelyard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tiny ONNX models written field by field from the ONNX IR protobuf schema, so tests need no
 * model files: {@code y = x + bias}, where x is float32 [batch, 4] and the bias tells versions apart.
 */
public final class OnnxModels {

    private OnnxModels() {
    }

    public static Path addBias(Path file, float... bias) throws IOException {
        Files.write(file, addBias(bias));
        return file;
    }

    public static byte[] addBias(float... bias) {
        ByteBuffer raw = ByteBuffer.allocate(4 * bias.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float b : bias) raw.putFloat(b);
        Proto tensor = new Proto().int64(1, bias.length).int64(2, 1).string(8, "bias").bytes(9, raw.array());
        Proto node = new Proto().string(1, "x").string(1, "bias").string(2, "y").string(3, "add").string(4, "Add");
        Proto graph = new Proto().message(1, node).string(2, "add-bias").message(5, tensor)
                .message(11, valueInfo("x", bias.length)).message(12, valueInfo("y", bias.length));
        Proto opset = new Proto().string(1, "").int64(2, 13);
        return new Proto().int64(1, 7).string(2, "modelyard-tests").message(7, graph).message(8, opset).toByteArray();
    }

    /**
     * {@code y = reshape(x + bias, [1, n])}: passes a warm-up and a self-test with one row, and
     * fails at run time for any other batch size, as a model exported with a batch size baked in does.
     */
    public static byte[] addBiasOneRowOnly(float... bias) {
        ByteBuffer raw = ByteBuffer.allocate(4 * bias.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float b : bias) raw.putFloat(b);
        ByteBuffer shape = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(bias.length);
        Proto biasTensor = new Proto().int64(1, bias.length).int64(2, 1).string(8, "bias").bytes(9, raw.array());
        Proto shapeTensor = new Proto().int64(1, 2).int64(2, 7).string(8, "one_row").bytes(9, shape.array());
        Proto add = new Proto().string(1, "x").string(1, "bias").string(2, "sum").string(3, "add").string(4, "Add");
        Proto reshape = new Proto().string(1, "sum").string(1, "one_row").string(2, "y").string(3, "reshape").string(4, "Reshape");
        Proto graph = new Proto().message(1, add).message(1, reshape).string(2, "add-bias-one-row")
                .message(5, biasTensor).message(5, shapeTensor)
                .message(11, valueInfo("x", bias.length)).message(12, valueInfo("y", bias.length));
        return model(graph);
    }

    /** {@code y = x} for a float32 input of exactly {@code dims}: a model that declares an input as large as wanted. */
    public static byte[] identity(long... dims) {
        Proto node = new Proto().string(1, "x").string(2, "y").string(3, "identity").string(4, "Identity");
        Proto graph = new Proto().message(1, node).string(2, "identity")
                .message(11, fixedValueInfo("x", dims)).message(12, fixedValueInfo("y", dims));
        return model(graph);
    }

    /**
     * A multi-layer perceptron {@code y = W_n(relu(… relu(x W_1))) + bias}: input x float32
     * [batch, in], {@code layers} hidden layers of width {@code hidden}, output y float32 [batch, out].
     * Its size is set by the weights (about {@code 4 (in·hidden + (layers-1)·hidden² + hidden·out)}
     * bytes) while its input stays small, as in real models. The weights are pseudo-random from
     * {@code seed}; for an input of zeros every output element is {@code bias}.
     */
    public static byte[] mlp(int in, int hidden, int layers, int out, long seed, float bias) {
        java.util.Random random = new java.util.Random(seed);
        Proto graph = new Proto().string(2, "mlp");
        String h = "x";
        int width = in;
        for (int l = 0; l <= layers; l++) {
            int next = l == layers ? out : hidden;
            String w = "w" + l;
            graph.message(5, weights(w, width, next, random, (float) Math.sqrt(2.0 / width)));
            String mm = l == layers ? "o" : "h" + l;
            graph.message(1, new Proto().string(1, h).string(1, w).string(2, mm).string(3, "matmul" + l).string(4, "MatMul"));
            if (l < layers) {
                graph.message(1, new Proto().string(1, mm).string(2, "r" + l).string(3, "relu" + l).string(4, "Relu"));
                h = "r" + l;
            }
            width = next;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out; i++) b.putFloat(bias);
        graph.message(5, new Proto().int64(1, out).int64(2, 1).string(8, "bias").bytes(9, b.array()));
        graph.message(1, new Proto().string(1, "o").string(1, "bias").string(2, "y").string(3, "add").string(4, "Add"));
        graph.message(11, valueInfo("x", in)).message(12, valueInfo("y", out));
        return model(graph);
    }

    private static Proto weights(String name, int rows, int cols, java.util.Random random, float scale) {
        ByteBuffer raw = ByteBuffer.allocate(4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) raw.putFloat((random.nextFloat() * 2 - 1) * scale);
        return new Proto().int64(1, rows).int64(1, cols).int64(2, 1).string(8, name).bytes(9, raw.array());
    }

    private static byte[] model(Proto graph) {
        Proto opset = new Proto().string(1, "").int64(2, 13);
        return new Proto().int64(1, 7).string(2, "modelyard-tests").message(7, graph).message(8, opset).toByteArray();
    }

    private static Proto fixedValueInfo(String name, long... dims) {
        Proto shape = new Proto();
        for (long d : dims) shape.message(1, new Proto().int64(1, d));
        Proto tensorType = new Proto().int64(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    private static Proto valueInfo(String name, int width) {
        Proto shape = new Proto().message(1, new Proto().string(2, "batch")).message(1, new Proto().int64(1, width));
        Proto tensorType = new Proto().int64(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Just enough of the protobuf wire format to write the messages above (and {@link DeltaModels}'). */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto int64(int field, long v) {
            tag(field, 0);
            varint(v);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto bytes(int field, byte[] b) {
            tag(field, 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.toByteArray());
        }

        /** Only the key and length of a bytes field whose value the caller writes itself (a streamed payload). */
        Proto bytesHeader(int field, long length) {
            tag(field, 2);
            varint(length);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        /** The encoded size of a varint. */
        static int varintSize(long v) {
            int n = 1;
            while ((v & ~0x7FL) != 0) {
                n++;
                v >>>= 7;
            }
            return n;
        }

        private void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
