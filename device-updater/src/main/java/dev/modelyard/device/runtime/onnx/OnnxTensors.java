package dev.modelyard.device.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.modelyard.device.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/** Converts the updater's {@link Tensor} to and from ONNX Runtime's tensors. */
final class OnnxTensors {

    private OnnxTensors() {
    }

    static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = t.shape();
        Object data = t.data();
        return switch (t.dtype()) {
            case "float32" -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) data), shape);
            case "float64" -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) data), shape);
            case "int64" -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) data), shape);
            case "int32" -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) data), shape);
            case "int8" -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.INT8);
            case "uint8" -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.UINT8);
            case "bool" -> OnnxTensor.createTensor(env, ByteBuffer.wrap(bools((boolean[]) data)), shape, OnnxJavaType.BOOL);
            default -> throw new IllegalArgumentException("unsupported element type " + t.dtype());
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
