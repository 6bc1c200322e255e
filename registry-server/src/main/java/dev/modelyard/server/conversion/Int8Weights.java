package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.server.onnx.Onnx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The weights both int8 quantizers ({@code int8-dynamic}, {@code int8-static}) take: which
 * initializers are constant float weights, when a {@code Gemm} holds one in a form they can use,
 * and the symmetric int8 values (zero point 0) they store for it. Kept in one place so the two
 * converters cannot drift apart in what they call a weight or how they round it.
 */
final class Int8Weights {

    private Int8Weights() {
    }

    /**
     * The float initializers that are constants, by name. An initializer that is also a graph input
     * is only a default the caller may replace, and an external one has no data here: neither is a weight.
     */
    static Map<String, TensorProto> constants(GraphProto g) {
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto i : g.input()) graphInputs.add(i.name());
        Map<String, TensorProto> constants = new HashMap<>();
        for (TensorProto t : g.initializer()) {
            if (t.dataType() == Onnx.DataType.FLOAT && !t.isExternal() && !graphInputs.contains(t.name())) {
                constants.put(t.name(), t);
            }
        }
        return constants;
    }

    /** A Gemm that is exactly A × B (+ C): no transposed A, no scaling. */
    static boolean plainGemm(NodeProto n) {
        AttributeProto transA = n.attribute("transA"), alpha = n.attribute("alpha"), beta = n.attribute("beta");
        return (transA == null || transA.i() == 0) && (alpha == null || alpha.f() == 1f) && (beta == null || beta.f() == 1f);
    }

    /** Whether a Gemm's B is stored transposed ([N, K]). */
    static boolean transB(NodeProto n) {
        AttributeProto t = n.attribute("transB");
        return t != null && t.i() != 0;
    }

    /**
     * The largest int8 magnitude: 63 with {@code reduceRange} (7 bits, safe from the 16-bit
     * saturation of uint8 × int8 products on x86 CPUs without VNNI), else 127.
     */
    static int qmax(boolean reduceRange) {
        return reduceRange ? 63 : 127;
    }

    /** The scale that maps the largest magnitude to {@code qmax}; 1 for an all-zero or non-finite channel. */
    static float scale(float maxAbs, int qmax) {
        return maxAbs > 0 && Float.isFinite(maxAbs) ? maxAbs / qmax : 1f;
    }

    /** One weight value in int8, rounded and clamped to [-qmax, qmax]. */
    static byte quantize(float value, float scale, int qmax) {
        return (byte) Math.max(-qmax, Math.min(qmax, Math.round(value / scale)));
    }
}
