package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxFormatException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores float32 initializers as float16, each followed by a {@code Cast} back to float32 under
 * its original name: the file is about half the size while the graph's inputs, outputs and
 * arithmetic stay float32, so it runs on every CPU build of ONNX Runtime (which folds the casts
 * at load time). Values outside the float16 range would become infinite, so a tensor holding one
 * is kept in float32.
 */
public final class Fp16WeightConverter extends WeightRewriter {

    private final long minElements;

    /** @param minElements smaller tensors (biases, scales) are left as they are */
    public Fp16WeightConverter(long minElements) {
        this.minElements = minElements;
    }

    @Override
    public String name() {
        return "fp16-weights";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("minElements", minElements);
        p.put("io", "float32");
        return p;
    }

    @Override
    public boolean portable() {
        return true;
    }

    @Override
    void check(ModelProto model) {
    }

    @Override
    Replacement replace(TensorProto w, Context ctx) throws OnnxFormatException {
        Names names = ctx.names();
        if (w.elementCount() < minElements) return null;
        float[] v = w.floats();
        byte[] raw = new byte[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            if (Math.abs(v[i]) > 65504f && Float.isFinite(v[i])) return null;
            short h = Half.fromFloat(v[i]);
            raw[2 * i] = (byte) h;
            raw[2 * i + 1] = (byte) (h >>> 8);
        }
        String stored = names.fresh(w.name() + "_fp16");
        TensorProto half = TensorProto.raw(stored, Onnx.DataType.FLOAT16, w.dims(), raw);
        NodeProto cast = new NodeProto("Cast", List.of(stored), List.of(w.name()), names.fresh(w.name() + "_cast"),
                List.of(AttributeProto.ofInt("to", Onnx.DataType.FLOAT)));
        return new Replacement(List.of(half), List.of(cast));
    }
}
