package dev.modelyard.wire;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The inputs and outputs of a model: what a device's inference API accepts and returns.
 *
 * @param inputs  input tensors, in the model's order
 * @param outputs output tensors, in the model's order
 */
public record IoSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public static final Set<String> DTYPES = Set.of("float32", "float16", "bfloat16", "float64", "int8", "uint8",
            "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool", "string");

    /**
     * One tensor. A shape entry is a non-negative size, or a symbolic name / -1 for a dimension
     * fixed only at run time (batch, sequence length).
     */
    public record TensorSpec(String name, String dtype, List<Object> shape) {
    }

    /** Throws {@link IllegalArgumentException} naming the first problem. */
    public void validate() {
        if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("ioSignature.inputs: at least one input is required");
        if (outputs == null || outputs.isEmpty()) throw new IllegalArgumentException("ioSignature.outputs: at least one output is required");
        check("inputs", inputs);
        check("outputs", outputs);
    }

    private static void check(String field, List<TensorSpec> tensors) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorSpec t = tensors.get(i);
            String where = "ioSignature." + field + "[" + i + "]";
            if (t == null || t.name() == null || t.name().isBlank()) throw new IllegalArgumentException(where + ".name: is required");
            if (!names.add(t.name())) throw new IllegalArgumentException(where + ".name: '" + t.name() + "' appears twice");
            if (t.dtype() == null || !DTYPES.contains(t.dtype())) {
                throw new IllegalArgumentException(where + ".dtype: '" + t.dtype() + "' is not one of " + DTYPES.stream().sorted().toList());
            }
            if (t.shape() == null) throw new IllegalArgumentException(where + ".shape: is required ([] for a scalar)");
            for (Object d : t.shape()) {
                boolean ok = d instanceof Number n ? n.longValue() >= -1 && n.doubleValue() == n.longValue()
                        : d instanceof String s && !s.isBlank();
                if (!ok) throw new IllegalArgumentException(where + ".shape: '" + d + "' is not a size, -1 or a dimension name");
            }
        }
    }
}
