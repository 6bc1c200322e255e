package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 quantization with integer kernels: every {@code MatMul} whose second input is a
 * constant float matrix, and every {@code Gemm} ({@code transA} 0, {@code alpha} 1, {@code beta} 1)
 * with a constant float {@code B}, becomes
 * {@code DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q) → Cast → Mul(A_scale × W_scale)}
 * (+ {@code Add(C)} for a Gemm bias). Only standard operators, so the file runs on any ONNX
 * Runtime (and any other runtime with these opset 11 operators); ONNX Runtime fuses the pattern
 * into its integer {@code DynamicQuantizeMatMul} kernel when it loads the model.
 *
 * <p>Weights are int8, symmetric (zero point 0), one scale per output column when
 * {@code perChannel} is set. With {@code reduceRange} they use 7 bits ([-63, 63]): x86 CPUs
 * without VNNI multiply uint8 activations by int8 weights with an instruction that saturates at
 * 16 bits, and 7-bit weights cannot reach that limit; the registry's own check would not see the
 * saturation when it runs on a CPU with VNNI, so the default is the range that is safe on every
 * device. Activations are quantized per tensor to uint8 at run time from their own range.
 * {@code Conv} and every other operator stay float32.
 */
public final class Int8DynamicQuantizer implements Converter {

    private final boolean perChannel;
    private final boolean reduceRange;
    private final long minElements;

    /**
     * @param perChannel  one weight scale per output column (else one per matrix)
     * @param reduceRange 7-bit weights, safe from 16-bit saturation on x86 CPUs without VNNI
     * @param minElements smaller weight matrices stay float32
     */
    public Int8DynamicQuantizer(boolean perChannel, boolean reduceRange, long minElements) {
        this.perChannel = perChannel;
        this.reduceRange = reduceRange;
        this.minElements = minElements;
    }

    @Override
    public String name() {
        return "int8-dynamic";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("perChannel", perChannel);
        p.put("reduceRange", reduceRange);
        p.put("minElements", minElements);
        p.put("weights", "int8 symmetric");
        p.put("activations", "uint8 dynamic per tensor");
        p.put("ops", List.of("MatMul", "Gemm"));
        return p;
    }

    @Override
    public boolean portable() {
        return true;
    }

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        ModelProto m = SourceModel.read(in);
        SourceModel.requireOpset(m, 11, "int8-dynamic", "DynamicQuantizeLinear");
        GraphProto g = m.graph();
        try {
            Rewrite r = new Rewrite(g);
            List<NodeProto> nodes = new ArrayList<>();
            for (NodeProto n : g.node()) nodes.addAll(r.rewrite(n));
            if (r.quantized.isEmpty()) {
                throw new ConversionException("int8-dynamic found nothing to quantize: the model has no MatMul or Gemm "
                        + "(transA 0, alpha 1, beta 1) whose weight is a constant float matrix of at least " + minElements
                        + " elements, so the result would be the float32 model under an int8 label (Conv is not quantized "
                        + "by this converter; int8-weights-qdq stores Conv weights in int8)");
            }
            Onnx.write(m.withGraph(g.withNodesAndInitializers(nodes, r.initializers(nodes))), out);
        } catch (OnnxFormatException e) {
            throw new ConversionException("the model is malformed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConversionException("cannot write the converted model: " + e.getMessage(), e);
        }
    }

    /** A weight matrix in int8 [K, N] with its scales and zero points (per column or one). */
    private record QuantizedWeight(TensorProto values, TensorProto scale, TensorProto zeroPoint) {
    }

    /** One pass over a graph: the nodes it replaces and the weights it quantized, by float name and layout. */
    private final class Rewrite {
        private final Map<String, TensorProto> floatInits;
        private final Set<String> graphOutputs = new HashSet<>();
        private final WeightRewriter.Names names;
        private final Map<String, QuantizedWeight> quantized = new LinkedHashMap<>();
        private final List<TensorProto> original;

        Rewrite(GraphProto g) {
            this.names = new WeightRewriter.Names(g);
            this.original = g.initializer();
            this.floatInits = Int8Weights.constants(g);
            for (Onnx.ValueInfoProto o : g.output()) graphOutputs.add(o.name());
        }

        List<NodeProto> rewrite(NodeProto n) throws OnnxFormatException {
            if (n.domain() != null && !n.domain().isEmpty() && !n.domain().equals("ai.onnx")) return List.of(n);
            if (n.input().size() < 2 || n.output().size() != 1) return List.of(n);
            TensorProto w = floatInits.get(n.input().get(1));
            if (w == null || w.dims().length != 2 || w.elementCount() < minElements) return List.of(n);
            return switch (n.opType()) {
                case "MatMul" -> integerMatMul(n, weight(w, false), null);
                case "Gemm" -> Int8Weights.plainGemm(n) ? integerMatMul(n, weight(w, Int8Weights.transB(n)), bias(n)) : List.of(n);
                default -> List.of(n);
            };
        }

        private static String bias(NodeProto n) {
            return n.input().size() > 2 && !n.input().get(2).isEmpty() ? n.input().get(2) : null;
        }

        /** The node as integer matrix product of dynamically quantized A and the int8 weight, scaled back to float. */
        private List<NodeProto> integerMatMul(NodeProto n, QuantizedWeight w, String bias) {
            String a = n.input().get(0), y = n.output().get(0);
            String base = n.name() == null || n.name().isEmpty() ? y : n.name();
            String aq = names.fresh(a + "_quantized"), as = names.fresh(a + "_scale"), az = names.fresh(a + "_zero_point");
            String product = names.fresh(y + "_int32"), asFloat = names.fresh(y + "_int32_float");
            String scale = names.fresh(y + "_scale");
            String scaled = bias == null ? y : names.fresh(y + "_without_bias");
            List<NodeProto> out = new ArrayList<>(List.of(
                    new NodeProto("DynamicQuantizeLinear", List.of(a), List.of(aq, as, az), names.fresh(base + "_quantize_input"), List.of()),
                    new NodeProto("MatMulInteger", List.of(aq, w.values().name(), az, w.zeroPoint().name()), List.of(product),
                            names.fresh(base + "_matmul_integer"), List.of()),
                    new NodeProto("Cast", List.of(product), List.of(asFloat), names.fresh(base + "_cast"),
                            List.of(AttributeProto.ofInt("to", Onnx.DataType.FLOAT))),
                    new NodeProto("Mul", List.of(as, w.scale().name()), List.of(scale), names.fresh(base + "_scales"), List.of()),
                    new NodeProto("Mul", List.of(asFloat, scale), List.of(scaled), names.fresh(base + "_rescale"), List.of())));
            if (bias != null) {
                out.add(new NodeProto("Add", List.of(scaled, bias), List.of(y), names.fresh(base + "_bias"), List.of()));
            }
            return out;
        }

        /** The weight as int8 [K, N]; a Gemm's transposed B is stored transposed back. Quantized once per layout. */
        private QuantizedWeight weight(TensorProto w, boolean transposed) throws OnnxFormatException {
            String key = w.name() + (transposed ? "/T" : "");
            QuantizedWeight done = quantized.get(key);
            if (done != null) return done;
            float[] v = w.floats();
            int rows = (int) w.dims()[0], cols = (int) w.dims()[1];
            int k = transposed ? cols : rows, n = transposed ? rows : cols;
            float[] kn = new float[v.length];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < n; j++) kn[i * n + j] = transposed ? v[j * cols + i] : v[i * cols + j];
            }
            int channels = perChannel ? n : 1;
            float[] maxAbs = new float[channels];
            for (int i = 0; i < kn.length; i++) {
                int c = perChannel ? i % n : 0;
                maxAbs[c] = Math.max(maxAbs[c], Math.abs(kn[i]));
            }
            int qmax = Int8Weights.qmax(reduceRange);
            float[] scale = new float[channels];
            for (int c = 0; c < channels; c++) scale[c] = Int8Weights.scale(maxAbs[c], qmax);
            byte[] q = new byte[kn.length];
            for (int i = 0; i < kn.length; i++) q[i] = Int8Weights.quantize(kn[i], scale[perChannel ? i % n : 0], qmax);
            long[] paramDims = perChannel ? new long[]{n} : new long[0];
            String base = w.name() + (transposed ? "_transposed" : "");
            QuantizedWeight r = new QuantizedWeight(
                    TensorProto.raw(names.fresh(base + "_quantized"), Onnx.DataType.INT8, new long[]{k, n}, q),
                    TensorProto.ofFloats(names.fresh(base + "_scale"), paramDims, scale),
                    TensorProto.raw(names.fresh(base + "_zero_point"), Onnx.DataType.INT8, paramDims, new byte[channels]));
            quantized.put(key, r);
            return r;
        }

        /**
         * The initializers of the rewritten graph: the quantized weights, and every original one
         * still read by a node or a graph output (a float weight also used elsewhere is kept).
         */
        List<TensorProto> initializers(List<NodeProto> nodes) {
            Set<String> read = new HashSet<>();
            for (NodeProto n : nodes) read.addAll(n.input());
            List<TensorProto> inits = new ArrayList<>();
            for (TensorProto t : original) {
                if (!floatInits.containsKey(t.name()) || read.contains(t.name()) || isGraphOutput(t.name())) inits.add(t);
            }
            for (QuantizedWeight q : quantized.values()) inits.addAll(List.of(q.values(), q.scale(), q.zeroPoint()));
            return inits;
        }

        private boolean isGraphOutput(String name) {
            return graphOutputs.contains(name);
        }
    }
}
