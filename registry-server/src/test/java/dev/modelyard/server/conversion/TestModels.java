package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.OperatorSetId;
import dev.modelyard.server.onnx.Onnx.StringStringEntry;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.server.onnx.Onnx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small real models built in code, with deterministic weights: opset 17, IR version 8. */
public final class TestModels {

    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    private TestModels() {
    }

    /**
     * A two-layer perceptron: MatMul + Add + Relu, then Gemm (transB) + bias. Input {@code x}
     * [batch, in], output {@code y} [batch, out]; the batch dimension is symbolic.
     */
    public static ModelProto mlp(int in, int hidden, int out, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TensorProto> inits = List.of(
                weights("w1", new long[]{in, hidden}, in, r),
                weights("b1", new long[]{hidden}, in, r),
                weights("w2", new long[]{out, hidden}, hidden, r),
                weights("b2", new long[]{out}, hidden, r));
        List<NodeProto> nodes = List.of(
                node("MatMul", List.of("x", "w1"), "h0"),
                node("Add", List.of("h0", "b1"), "h1"),
                node("Relu", List.of("h1"), "h2"),
                new NodeProto("Gemm", List.of("h2", "w2", "b2"), List.of("y"), "gemm2", List.of(AttributeProto.ofInt("transB", 1))));
        GraphProto g = new GraphProto(nodes, "mlp", inits,
                List.of(ValueInfoProto.tensor("x", Onnx.DataType.FLOAT, "batch", (long) in)),
                List.of(ValueInfoProto.tensor("y", Onnx.DataType.FLOAT, "batch", (long) out)));
        return model(g);
    }

    /**
     * A small convolutional network: Conv + Relu + MaxPool, Conv + Relu, GlobalAveragePool,
     * Flatten, Gemm. Input {@code image} [batch, 3, 16, 16], output {@code logits} [batch, 10].
     */
    public static ModelProto cnn(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TensorProto> inits = List.of(
                weights("conv1.w", new long[]{8, 3, 3, 3}, 27, r),
                weights("conv1.b", new long[]{8}, 27, r),
                weights("conv2.w", new long[]{16, 8, 3, 3}, 72, r),
                weights("conv2.b", new long[]{16}, 72, r),
                weights("fc.w", new long[]{16, 10}, 16, r),
                weights("fc.b", new long[]{10}, 16, r));
        List<AttributeProto> conv = List.of(AttributeProto.ofInts("kernel_shape", 3, 3), AttributeProto.ofInts("pads", 1, 1, 1, 1));
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(new NodeProto("Conv", List.of("image", "conv1.w", "conv1.b"), List.of("c1"), "conv1", conv));
        nodes.add(node("Relu", List.of("c1"), "r1"));
        nodes.add(new NodeProto("MaxPool", List.of("r1"), List.of("p1"), "pool1",
                List.of(AttributeProto.ofInts("kernel_shape", 2, 2), AttributeProto.ofInts("strides", 2, 2))));
        nodes.add(new NodeProto("Conv", List.of("p1", "conv2.w", "conv2.b"), List.of("c2"), "conv2", conv));
        nodes.add(node("Relu", List.of("c2"), "r2"));
        nodes.add(node("GlobalAveragePool", List.of("r2"), "gap"));
        nodes.add(new NodeProto("Flatten", List.of("gap"), List.of("flat"), "flatten", List.of(AttributeProto.ofInt("axis", 1))));
        nodes.add(node("Gemm", List.of("flat", "fc.w", "fc.b"), "logits"));
        GraphProto g = new GraphProto(nodes, "cnn", inits,
                List.of(ValueInfoProto.tensor("image", Onnx.DataType.FLOAT, "batch", 3L, 16L, 16L)),
                List.of(ValueInfoProto.tensor("logits", Onnx.DataType.FLOAT, "batch", 10L)));
        return model(g);
    }

    public static Path write(ModelProto m, Path file) throws IOException {
        Onnx.write(m, file);
        return file;
    }

    public static byte[] bytes(ModelProto m) {
        return Onnx.toBytes(m);
    }

    /** How many nodes of the graph run {@code op}. */
    public static long count(GraphProto g, String op) {
        return g.node().stream().filter(n -> n.opType().equals(op)).count();
    }

    /** The graph's operators in node order, for assertion messages. */
    public static String ops(GraphProto g) {
        return g.node().stream().map(NodeProto::opType).toList().toString();
    }

    /** The initializer named {@code name}; fails the test if there is none. */
    public static TensorProto initializer(GraphProto g, String name) {
        return g.initializer().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    public static ModelProto model(GraphProto g) {
        return new ModelProto(IR_VERSION, List.of(new OperatorSetId("", OPSET)), "modelyard-tests", "1", null, 1, null, g,
                List.of(new StringStringEntry("purpose", "test")), new byte[0]);
    }

    private static NodeProto node(String op, List<String> in, String out) {
        return new NodeProto(op, in, List.of(out), out + "_node", List.of());
    }

    /** Uniform in ±1/sqrt(fanIn), as common initialisers do. */
    private static TensorProto weights(String name, long[] dims, int fanIn, SplittableRandom r) {
        long n = 1;
        for (long d : dims) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        return TensorProto.ofFloats(name, dims, v);
    }
}
