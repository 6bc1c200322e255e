package dev.modelyard.device.runtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JSON form of a tensor, {@code {"dtype": "float32", "shape": [1, 4], "data": [flat, row-major]}},
 * shared by the inference API and self-test documents, so a captured request makes a test case.
 */
public final class TensorJson {

    private TensorJson() {
    }

    /** Reads one tensor; the message of the exception says what is wrong, without the name. */
    public static Tensor parse(JsonNode n) {
        String dtype = n.path("dtype").asText("float32");
        JsonNode shapeNode = n.get("shape");
        JsonNode data = n.get("data");
        if (shapeNode == null || !shapeNode.isArray() || data == null || !data.isArray()) {
            throw new IllegalArgumentException("needs a shape array and a flat data array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
        return new Tensor(dtype, shape, values(dtype, data));
    }

    private static Object values(String dtype, JsonNode data) {
        int len = data.size();
        return switch (dtype) {
            case "float32" -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) a[i] = (float) number(data.get(i)).doubleValue();
                yield a;
            }
            case "float64" -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) a[i] = number(data.get(i)).doubleValue();
                yield a;
            }
            case "int64" -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) a[i] = number(data.get(i)).longValue();
                yield a;
            }
            case "int32" -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) a[i] = number(data.get(i)).intValue();
                yield a;
            }
            case "int8", "uint8" -> {
                byte[] a = new byte[len];
                for (int i = 0; i < len; i++) a[i] = (byte) number(data.get(i)).intValue();
                yield a;
            }
            case "bool" -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) a[i] = data.get(i).asBoolean();
                yield a;
            }
            default -> throw new IllegalArgumentException("unsupported dtype '" + dtype + "'");
        };
    }

    private static Number number(JsonNode v) {
        if (!v.isNumber()) throw new IllegalArgumentException("'" + v + "' is not a number");
        return v.numberValue();
    }
}
