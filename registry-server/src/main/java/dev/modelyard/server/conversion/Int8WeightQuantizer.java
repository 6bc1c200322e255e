package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight-only int8 quantization in QDQ form: each float weight of a {@code MatMul}, {@code Gemm}
 * or {@code Conv} becomes an int8 initializer with a scale and a zero point, and a
 * {@code DequantizeLinear} node rebuilds the float weight under its original name. Quantization is
 * symmetric (zero point 0, values in [-127, 127]); per output channel (Conv: axis 0; Gemm and
 * 2-D MatMul: the output-feature axis of B) when the model's opset is 13 or later and
 * {@code perChannel} is set, else per tensor. Activations, biases and the graph's inputs and
 * outputs stay float32.
 */
public final class Int8WeightQuantizer extends WeightRewriter {

    private final boolean perChannel;
    private final long minElements;

    /**
     * @param perChannel  one scale per output channel where the opset allows it
     * @param minElements smaller weights are left in float32
     */
    public Int8WeightQuantizer(boolean perChannel, long minElements) {
        this.perChannel = perChannel;
        this.minElements = minElements;
    }

    @Override
    public String name() {
        return "int8-weights-qdq";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("perChannel", perChannel);
        p.put("minElements", minElements);
        p.put("scheme", "symmetric");
        p.put("ops", List.of("MatMul", "Gemm", "Conv"));
        return p;
    }

    @Override
    public boolean portable() {
        return true;
    }

    @Override
    void check(ModelProto model) throws ConversionException {
        SourceModel.requireOpset(model, 10, "int8 QDQ quantization", "DequantizeLinear");
    }

    @Override
    Replacement replace(TensorProto w, Context ctx) throws OnnxFormatException {
        List<Use> uses = ctx.usesOf(w.name());
        Integer axis = null;
        boolean weight = false;
        boolean axisAgreed = true;
        for (Use u : uses) {
            Integer a = weightAxis(u, w.dims().length);
            if (a == null) continue;
            if (weight && !a.equals(axis)) axisAgreed = false;
            weight = true;
            axis = a;
        }
        if (!weight || w.elementCount() < minElements) return null;
        boolean channels = perChannel && axisAgreed && axis >= 0 && ctx.model().opset("") >= 13;
        float[] v = w.floats();
        long[] dims = w.dims();
        int channelCount = channels ? (int) dims[axis] : 1;
        long inner = 1;
        if (channels) for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
        float[] maxAbs = new float[channelCount];
        for (int i = 0; i < v.length; i++) {
            int c = channels ? (int) ((i / inner) % channelCount) : 0;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[i]));
        }
        float[] scale = new float[channelCount];
        for (int c = 0; c < channelCount; c++) scale[c] = maxAbs[c] > 0 && Float.isFinite(maxAbs[c]) ? maxAbs[c] / 127f : 1f;
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = channels ? (int) ((i / inner) % channelCount) : 0;
            q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scale[c])));
        }
        Names names = ctx.names();
        long[] paramDims = channels ? new long[]{channelCount} : new long[0];
        TensorProto quantized = TensorProto.raw(names.fresh(w.name() + "_quantized"), Onnx.DataType.INT8, dims, q);
        TensorProto scales = TensorProto.ofFloats(names.fresh(w.name() + "_scale"), paramDims, scale);
        TensorProto zeros = TensorProto.raw(names.fresh(w.name() + "_zero_point"), Onnx.DataType.INT8, paramDims, new byte[channelCount]);
        List<AttributeProto> attrs = new ArrayList<>();
        if (channels) attrs.add(AttributeProto.ofInt("axis", axis));
        NodeProto dq = new NodeProto("DequantizeLinear", List.of(quantized.name(), scales.name(), zeros.name()),
                List.of(w.name()), names.fresh(w.name() + "_dequantize"), attrs);
        return new Replacement(List.of(quantized, scales, zeros), List.of(dq));
    }

    /**
     * The output-channel axis when the use is the weight input of a supported operator, -1 when it
     * is a weight without a channel axis (MatMul of other ranks), null when it is not a weight.
     */
    static Integer weightAxis(Use u, int rank) {
        NodeProto n = u.node();
        String domain = n.domain();
        if (u.index() != 1 || domain != null && !domain.isEmpty() && !domain.equals("ai.onnx")) return null;
        return switch (n.opType()) {
            case "Conv" -> rank >= 3 ? 0 : null;
            case "Gemm" -> {
                if (rank != 2) yield null;
                AttributeProto t = n.attribute("transB");
                yield t != null && t.i() != 0 ? 0 : 1;
            }
            case "MatMul" -> rank == 2 ? 1 : -1;
            default -> null;
        };
    }
}
