package dev.modelyard.device.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
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

    OnnxTensor toOnnx(OrtEnvironment env) throws OrtException {
        return switch (dtype) {
            case "float32" -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) data), shape);
            case "float64" -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) data), shape);
            case "int64" -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) data), shape);
            case "int32" -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) data), shape);
            case "int8" -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.INT8);
            case "uint8" -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.UINT8);
            case "bool" -> OnnxTensor.createTensor(env, ByteBuffer.wrap(bools((boolean[]) data)), shape, OnnxJavaType.BOOL);
            default -> throw new IllegalArgumentException("unsupported element type " + dtype);
        };
    }

    static Tensor fromOnnx(OnnxTensor t) throws OrtException {
        long[] shape = t.getInfo().getShape();
        return switch (t.getInfo().type) {
            case FLOAT -> new Tensor("float32", shape, copy(t.getFloatBuffer()));
            case DOUBLE -> new Tensor("float64", shape, copy(t.getDoubleBuffer()));
            case INT64 -> new Tensor("int64", shape, copy(t.getLongBuffer()));
            case INT32 -> new Tensor("int32", shape, copy(t.getIntBuffer()));
            case INT8 -> new Tensor("int8", shape, copy(t.getByteBuffer()));
            case UINT8 -> new Tensor("uint8", shape, copy(t.getByteBuffer()));
            case BOOL -> new Tensor("bool", shape, unbools(copy(t.getByteBuffer())));
            default -> throw new IllegalArgumentException("unsupported output element type " + t.getInfo().type);
        };
    }

    static String dtypeOf(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case FLOAT16 -> "float16";
            case STRING -> "string";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
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

    private static float[] copy(FloatBuffer b) {
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    private static double[] copy(DoubleBuffer b) {
        double[] a = new double[b.remaining()];
        b.get(a);
        return a;
    }

    private static long[] copy(LongBuffer b) {
        long[] a = new long[b.remaining()];
        b.get(a);
        return a;
    }

    private static int[] copy(IntBuffer b) {
        int[] a = new int[b.remaining()];
        b.get(a);
        return a;
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static byte[] bools(boolean[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) (v[i] ? 1 : 0);
        return b;
    }

    private static boolean[] unbools(byte[] b) {
        boolean[] v = new boolean[b.length];
        for (int i = 0; i < b.length; i++) v[i] = b[i] != 0;
        return v;
    }
}
