package dev.modelyard.device.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * A dense tensor: element type (the names of {@link dev.modelyard.wire.IoSignature}), shape, and the
 * elements in row-major order as a primitive array ({@code float[]}, {@code double[]}, {@code long[]},
 * {@code int[]}, {@code byte[]} for int8/uint8, {@code boolean[]}).
 */
public record Tensor(String dtype, long[] shape, Object data) {

    public Tensor {
        shape = shape.clone();
        long expected = elements(shape);
        int actual = java.lang.reflect.Array.getLength(data);
        if (expected != actual) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + expected
                    + " elements, got " + actual);
        }
    }

    public static Tensor of(float[] data, long... shape) {
        return new Tensor("float32", shape, data);
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes per element of a dtype; unknown types count as 8 so that bounds err on the safe side. */
    static long elementSize(String dtype) {
        return switch (dtype) {
            case "float32", "int32" -> 4;
            case "int8", "uint8", "bool" -> 1;
            default -> 8;
        };
    }

    /** A zero-filled tensor, for warming a session up. */
    static Tensor zeros(String dtype, long[] shape) {
        int n = Math.toIntExact(elements(shape));
        Object data = switch (dtype) {
            case "float32" -> new float[n];
            case "float64" -> new double[n];
            case "int64" -> new long[n];
            case "int32" -> new int[n];
            case "int8", "uint8" -> new byte[n];
            case "bool" -> new boolean[n];
            default -> throw new IllegalArgumentException("unsupported element type " + dtype);
        };
        return new Tensor(dtype, shape, data);
    }

    /** The elements as doubles, for comparing outputs within a tolerance. */
    double[] asDoubles() {
        int n = java.lang.reflect.Array.getLength(data);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            Object v = java.lang.reflect.Array.get(data, i);
            out[i] = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
        }
        return out;
    }

    /** The elements as a list, for JSON. */
    public List<Object> values() {
        int n = java.lang.reflect.Array.getLength(data);
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) out[i] = java.lang.reflect.Array.get(data, i);
        return Arrays.asList(out);
    }
}
