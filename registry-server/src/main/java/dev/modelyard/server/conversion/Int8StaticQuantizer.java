package dev.modelyard.server.conversion;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.TensorType;
import dev.modelyard.server.onnx.Onnx.TypeProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization in QDQ form: the float activations going into and coming out of every
 * {@code Conv}, {@code MatMul} and plain {@code Gemm} with a constant float weight pass through a
 * {@code QuantizeLinear → DequantizeLinear} pair (uint8, one scale and zero point per tensor),
 * the weight is stored in int8 (zero point 0, one scale per output channel when {@code perChannel})
 * behind a {@code DequantizeLinear}, and a bias is stored in int32 at the input scale times the
 * weight scale. Only standard opset 13 operators, so the file runs anywhere; ONNX Runtime
 * recognises each {@code DQ → op → Q} group when it loads the model and runs it as
 * {@code QLinearConv}, {@code QLinearMatMul} or {@code QGemm}: convolutions get integer
 * kernels too, which {@code int8-dynamic} cannot give them.
 *
 * <p>The activation ranges come from calibration: the source runs in ONNX Runtime on the
 * version's self-test inputs with every tensor of interest added as a graph output, and each
 * range is the minimum and maximum seen (widened to include 0, so that 0 is exact). Min/max
 * rather than a percentile because self-test inputs are few: a percentile of a handful of cases
 * would clip values that real inputs do reach. An input far outside what the self-test covers is
 * clipped, which the version's own self-test cannot show; that is why the vectors should be
 * representative inputs. {@code reduceRange} keeps weights in 7 bits for the same reason as
 * {@code int8-dynamic}: x86 CPUs without VNNI saturate uint8 × int8 products at 16 bits.
 */
public final class Int8StaticQuantizer implements Converter {

    private static final int QMAX_ACTIVATION = 255;

    private final boolean perChannel;
    private final boolean reduceRange;

    /**
     * @param perChannel  one weight scale per output channel (else one per weight)
     * @param reduceRange 7-bit weights, safe from 16-bit saturation on x86 CPUs without VNNI
     */
    public Int8StaticQuantizer(boolean perChannel, boolean reduceRange) {
        this.perChannel = perChannel;
        this.reduceRange = reduceRange;
    }

    @Override
    public String name() {
        return "int8-static";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("perChannel", perChannel);
        p.put("reduceRange", reduceRange);
        p.put("weights", "int8 symmetric");
        p.put("activations", "uint8 per tensor, min/max over the version's self-test inputs");
        p.put("ops", List.of("Conv", "MatMul", "Gemm"));
        return p;
    }

    @Override
    public boolean portable() {
        return true;
    }

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        convert(in, out, Context.NONE);
    }

    @Override
    public void convert(Path in, Path out, Context context) throws ConversionException {
        if (context.selfTest().isEmpty() || context.selfTest().get().cases().isEmpty()) {
            throw new ConversionException("int8-static needs the version's self-test inputs for calibration; "
                    + "set a self-test or use int8-dynamic");
        }
        ModelProto m = SourceModel.read(in);
        SourceModel.requireOpset(m, 13, "int8-static", "per-channel DequantizeLinear");
        GraphProto g = m.graph();
        try {
            Plan plan = new Plan(g);
            if (plan.targets.isEmpty()) {
                throw new ConversionException("int8-static found nothing to quantize: the model has no Conv, MatMul or "
                        + "Gemm (transA 0, alpha 1, beta 1) whose weight is a constant float tensor");
            }
            Map<String, Range> ranges = calibrate(m, plan.activations(), context.selfTest().get(), out);
            Onnx.write(m.withGraph(new Rewrite(g, plan, ranges).graph()), out);
        } catch (OnnxFormatException e) {
            throw new ConversionException("the model is malformed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConversionException("cannot write the converted model: " + e.getMessage(), e);
        }
    }

    /** A node to quantize: which input is the weight, along which axis its output channels lie, and its bias. */
    private record Target(NodeProto node, TensorProto weight, int channelAxis, TensorProto bias) {

        String activation() {
            return node.input().get(0);
        }

        String output() {
            return node.output().get(0);
        }
    }

    /** The observed range of an activation, as uint8 scale and zero point. */
    private record Range(float min, float max) {

        float scale() {
            float s = (Math.max(max, 0f) - Math.min(min, 0f)) / QMAX_ACTIVATION;
            return s > 0 && Float.isFinite(s) ? s : 1f;
        }

        int zeroPoint() {
            return Math.max(0, Math.min(QMAX_ACTIVATION, Math.round(-Math.min(min, 0f) / scale())));
        }
    }

    /** The nodes to quantize, found once. */
    private static final class Plan {
        final List<Target> targets = new ArrayList<>();

        Plan(GraphProto g) throws OnnxFormatException {
            Map<String, TensorProto> constants = Int8Weights.constants(g);
            for (NodeProto n : g.node()) {
                if (n.domain() != null && !n.domain().isEmpty() && !n.domain().equals("ai.onnx")) continue;
                if (n.input().size() < 2 || n.output().size() != 1 || constants.containsKey(n.input().get(0))) continue;
                TensorProto w = constants.get(n.input().get(1));
                if (w == null) continue;
                TensorProto bias = n.input().size() > 2 && !n.input().get(2).isEmpty() ? constants.get(n.input().get(2)) : null;
                boolean hasBias = n.input().size() > 2 && !n.input().get(2).isEmpty();
                switch (n.opType()) {
                    case "Conv" -> {
                        if (w.dims().length >= 3 && (!hasBias || bias != null)) targets.add(new Target(n, w, 0, bias));
                    }
                    case "MatMul" -> {
                        if (w.dims().length == 2) targets.add(new Target(n, w, 1, null));
                    }
                    case "Gemm" -> {
                        if (w.dims().length == 2 && Int8Weights.plainGemm(n) && (!hasBias || (bias != null && bias.dims().length == 1))) {
                            targets.add(new Target(n, w, Int8Weights.transB(n) ? 0 : 1, bias));
                        }
                    }
                    default -> {
                    }
                }
            }
        }

        /** Every tensor whose range calibration must find: each target's activation input and output. */
        Set<String> activations() {
            Set<String> names = new LinkedHashSet<>();
            for (Target t : targets) {
                names.add(t.activation());
                names.add(t.output());
            }
            return names;
        }
    }

    /**
     * Runs the source on every self-test case with the tensors of interest as extra graph outputs,
     * and returns each one's min/max. The augmented model is a temporary file beside {@code out}.
     */
    private static Map<String, Range> calibrate(ModelProto m, Set<String> tensors, SelfTestVectors vectors, Path out)
            throws ConversionException, IOException {
        GraphProto g = m.graph();
        Set<String> outputs = new HashSet<>();
        for (ValueInfoProto o : g.output()) outputs.add(o.name());
        List<ValueInfoProto> augmented = new ArrayList<>(g.output());
        for (String t : tensors) {
            // Type only, no shape: ONNX Runtime infers the shape, and a wrong guess would fail the load.
            if (!outputs.contains(t)) {
                augmented.add(new ValueInfoProto(t, new TypeProto(new TensorType(Onnx.DataType.FLOAT, null, new byte[0]),
                        null, new byte[0]), null, new byte[0]));
            }
        }
        GraphProto withOutputs = new GraphProto(g.node(), g.name(), g.initializer(), g.docString(), g.input(), augmented,
                g.valueInfo(), g.unknown());
        Path file = out.resolveSibling(out.getFileName() + ".calibration.onnx");
        Onnx.write(m.withGraph(withOutputs), file);
        float[] min = new float[tensors.size()], max = new float[tensors.size()];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        List<String> names = List.copyOf(tensors);
        try (OrtSession s = Ort.load(file)) {
            Set<String> modelInputs = s.getInputNames();
            for (SelfTestVectors.Case c : vectors.cases()) {
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                try {
                    for (var e : c.inputs().entrySet()) {
                        if (modelInputs.contains(e.getKey())) inputs.put(e.getKey(), e.getValue().toOnnx());
                    }
                    try (OrtSession.Result r = s.run(inputs, new LinkedHashSet<>(names))) {
                        for (int i = 0; i < names.size(); i++) {
                            OnnxValue v = r.get(names.get(i)).orElseThrow();
                            FloatBuffer b = ((OnnxTensor) v).getFloatBuffer();
                            while (b.hasRemaining()) {
                                float x = b.get();
                                if (Float.isFinite(x)) {
                                    min[i] = Math.min(min[i], x);
                                    max[i] = Math.max(max[i], x);
                                }
                            }
                        }
                    }
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException | RuntimeException e) {
            throw new ConversionException("int8-static could not run the source on the self-test inputs for calibration: "
                    + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            // A tensor that held no finite value calibrates to [0, 0], which quantizes it to exact zeros.
            ranges.put(names.get(i), min[i] <= max[i] ? new Range(min[i], max[i]) : new Range(0f, 0f));
        }
        return ranges;
    }

    /** Writes the QDQ graph: nodes in their original order, with the pairs placed where their tensors are first read. */
    private final class Rewrite {
        private final GraphProto g;
        private final Plan plan;
        private final Map<String, Range> ranges;
        private final WeightRewriter.Names names;
        private final List<TensorProto> added = new ArrayList<>();
        /** Float activation name → the name of its dequantized copy. */
        private final Map<String, String> dequantized = new HashMap<>();
        private final Map<String, String> weights = new HashMap<>();
        private final Set<String> replaced = new HashSet<>();

        Rewrite(GraphProto g, Plan plan, Map<String, Range> ranges) {
            this.g = g;
            this.plan = plan;
            this.ranges = ranges;
            this.names = new WeightRewriter.Names(g);
        }

        GraphProto graph() throws OnnxFormatException {
            Map<NodeProto, Target> byNode = new HashMap<>();
            for (Target t : plan.targets) byNode.put(t.node(), t);
            List<NodeProto> nodes = new ArrayList<>();
            for (NodeProto n : g.node()) {
                Target t = byNode.get(n);
                if (t == null) {
                    nodes.add(n);
                } else {
                    nodes.addAll(quantize(t));
                }
            }
            return g.withNodesAndInitializers(nodes, initializers(nodes));
        }

        /** The target between DQ inputs and a Q → DQ on its output, which keeps the output's name for its readers. */
        private List<NodeProto> quantize(Target t) throws OnnxFormatException {
            NodeProto n = t.node();
            String base = n.name() == null || n.name().isEmpty() ? t.output() : n.name();
            List<NodeProto> out = new ArrayList<>();
            String x = dequantize(t.activation(), base, out);
            Range in = ranges.get(t.activation());
            float[] wScale = weightScales(t);
            String w = weight(t, wScale, base, out);
            List<String> inputs = new ArrayList<>(List.of(x, w));
            if (t.bias() != null) inputs.add(bias(t, in.scale(), wScale, base, out));
            String raw = names.fresh(t.output() + "_float");
            out.add(new NodeProto(inputs, List.of(raw), n.name(), n.opType(), n.domain(), n.attribute(), n.docString(),
                    n.unknown()));
            Range r = ranges.get(t.output());
            String[] qp = activationParameters(t.output(), r);
            String q = names.fresh(t.output() + "_quantized");
            out.add(new NodeProto("QuantizeLinear", List.of(raw, qp[0], qp[1]), List.of(q), names.fresh(base + "_quantize_output"), List.of()));
            out.add(new NodeProto("DequantizeLinear", List.of(q, qp[0], qp[1]), List.of(t.output()),
                    names.fresh(base + "_dequantize_output"), List.of()));
            // Later targets reading this output read the DQ's result directly: it is already quantized.
            dequantized.put(t.output(), t.output());
            return out;
        }

        /** The activation through Q → DQ, once per tensor (later readers share the pair). */
        private String dequantize(String tensor, String base, List<NodeProto> out) {
            String done = dequantized.get(tensor);
            if (done != null) return done;
            String[] qp = activationParameters(tensor, ranges.get(tensor));
            String q = names.fresh(tensor + "_quantized"), dq = names.fresh(tensor + "_dequantized");
            out.add(new NodeProto("QuantizeLinear", List.of(tensor, qp[0], qp[1]), List.of(q), names.fresh(base + "_quantize_input"), List.of()));
            out.add(new NodeProto("DequantizeLinear", List.of(q, qp[0], qp[1]), List.of(dq), names.fresh(base + "_dequantize_input"), List.of()));
            dequantized.put(tensor, dq);
            return dq;
        }

        /** Scalar scale and uint8 zero point initializers for an activation. */
        private String[] activationParameters(String tensor, Range r) {
            String s = names.fresh(tensor + "_scale"), z = names.fresh(tensor + "_zero_point");
            added.add(TensorProto.ofFloats(s, new long[0], new float[]{r.scale()}));
            added.add(TensorProto.raw(z, Onnx.DataType.UINT8, new long[0], new byte[]{(byte) r.zeroPoint()}));
            return new String[]{s, z};
        }

        private float[] weightScales(Target t) throws OnnxFormatException {
            float[] v = t.weight().floats();
            long[] dims = t.weight().dims();
            int channels = perChannel ? (int) dims[t.channelAxis()] : 1;
            float[] maxAbs = new float[channels];
            for (int i = 0; i < v.length; i++) {
                int c = channel(i, dims, t.channelAxis(), channels);
                maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[i]));
            }
            int qmax = Int8Weights.qmax(reduceRange);
            float[] scale = new float[channels];
            for (int c = 0; c < channels; c++) scale[c] = Int8Weights.scale(maxAbs[c], qmax);
            return scale;
        }

        /** The element's output channel: its index along the axis (0 when there is one scale). */
        private static int channel(int i, long[] dims, int axis, int channels) {
            if (channels == 1) return 0;
            long inner = 1;
            for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
            return (int) ((i / inner) % dims[axis]);
        }

        /** The int8 weight behind a DequantizeLinear (per axis when per channel); a shared weight is stored once. */
        private String weight(Target t, float[] scale, String base, List<NodeProto> out) throws OnnxFormatException {
            TensorProto w = t.weight();
            String key = w.name() + "/" + t.channelAxis();
            String dq = weights.get(key);
            if (dq != null) return dq;
            float[] v = w.floats();
            int qmax = Int8Weights.qmax(reduceRange);
            byte[] q = new byte[v.length];
            for (int i = 0; i < v.length; i++) {
                q[i] = Int8Weights.quantize(v[i], scale[channel(i, w.dims(), t.channelAxis(), scale.length)], qmax);
            }
            long[] paramDims = scale.length > 1 ? new long[]{scale.length} : new long[0];
            String qn = names.fresh(w.name() + "_quantized"), sn = names.fresh(w.name() + "_scale"),
                    zn = names.fresh(w.name() + "_zero_point");
            added.add(TensorProto.raw(qn, Onnx.DataType.INT8, w.dims(), q));
            added.add(TensorProto.ofFloats(sn, paramDims, scale));
            added.add(TensorProto.raw(zn, Onnx.DataType.INT8, paramDims, new byte[scale.length]));
            dq = names.fresh(w.name() + "_dequantized");
            out.add(new NodeProto("DequantizeLinear", List.of(qn, sn, zn), List.of(dq), names.fresh(base + "_dequantize_weight"),
                    scale.length > 1 ? List.of(AttributeProto.ofInt("axis", t.channelAxis())) : List.of()));
            weights.put(key, dq);
            replaced.add(w.name());
            return dq;
        }

        /**
         * The bias in int32 at scale input × weight (what the integer kernels add to their int32
         * sums), behind a DequantizeLinear.
         */
        private String bias(Target t, float inputScale, float[] weightScale, String base, List<NodeProto> out)
                throws OnnxFormatException {
            TensorProto b = t.bias();
            float[] v = b.floats();
            float[] scale = new float[v.length];
            ByteBuffer q = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                scale[i] = inputScale * weightScale[weightScale.length == 1 ? 0 : i];
                q.putInt((int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, Math.round((double) v[i] / scale[i]))));
            }
            String qn = names.fresh(b.name() + "_quantized"), sn = names.fresh(b.name() + "_scale"),
                    zn = names.fresh(b.name() + "_zero_point");
            added.add(TensorProto.raw(qn, Onnx.DataType.INT32, b.dims(), q.array()));
            added.add(TensorProto.ofFloats(sn, new long[]{v.length}, scale));
            added.add(TensorProto.raw(zn, Onnx.DataType.INT32, new long[]{v.length}, new byte[4 * v.length]));
            String dq = names.fresh(b.name() + "_dequantized");
            out.add(new NodeProto("DequantizeLinear", List.of(qn, sn, zn), List.of(dq), names.fresh(base + "_dequantize_bias"),
                    List.of(AttributeProto.ofInt("axis", 0))));
            replaced.add(b.name());
            return dq;
        }

        /** The new initializers, and every original one still read by a node or a graph output. */
        private List<TensorProto> initializers(List<NodeProto> nodes) {
            Set<String> read = new HashSet<>();
            for (NodeProto n : nodes) read.addAll(n.input());
            for (ValueInfoProto o : g.output()) read.add(o.name());
            List<TensorProto> inits = new ArrayList<>();
            for (TensorProto t : g.initializer()) {
                if (!replaced.contains(t.name()) || read.contains(t.name())) inits.add(t);
            }
            inits.addAll(added);
            return inits;
        }
    }
}
