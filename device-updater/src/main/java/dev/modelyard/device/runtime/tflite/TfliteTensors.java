package dev.modelyard.device.runtime.tflite;

import dev.modelyard.device.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts the updater's {@link Tensor} to and from the raw bytes TensorFlow Lite tensors hold
 * (native byte order, row-major). Quantized tensors travel as their stored int8/uint8 values:
 * the scale and zero point are the model's, applied by the application as with any runtime.
 */
final class TfliteTensors {

    private TfliteTensors() {
    }

    static ByteBuffer toBuffer(Tensor t) {
        Object data = t.data();
        int n = java.lang.reflect.Array.getLength(data);
        ByteBuffer b;
        switch (t.dtype()) {
            case "float32" -> {
                b = allocate(n * 4L);
                b.asFloatBuffer().put((float[]) data);
            }
            case "int32" -> {
                b = allocate(n * 4L);
                b.asIntBuffer().put((int[]) data);
            }
            case "int64" -> {
                b = allocate(n * 8L);
                b.asLongBuffer().put((long[]) data);
            }
            case "int8", "uint8" -> {
                b = allocate(n);
                b.put((byte[]) data);
            }
            case "bool" -> {
                b = allocate(n);
                for (boolean v : (boolean[]) data) b.put((byte) (v ? 1 : 0));
            }
            default -> throw new IllegalArgumentException("TensorFlow Lite takes no " + t.dtype() + " input");
        }
        b.rewind();
        return b;
    }

    static Tensor fromBuffer(String dtype, int[] dims, ByteBuffer b) {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[i];
        b.order(ByteOrder.nativeOrder());
        return switch (dtype) {
            case "float32" -> {
                float[] a = new float[b.remaining() / 4];
                b.asFloatBuffer().get(a);
                yield new Tensor(dtype, shape, a);
            }
            case "int32" -> {
                int[] a = new int[b.remaining() / 4];
                b.asIntBuffer().get(a);
                yield new Tensor(dtype, shape, a);
            }
            case "int64" -> {
                long[] a = new long[b.remaining() / 8];
                b.asLongBuffer().get(a);
                yield new Tensor(dtype, shape, a);
            }
            case "int8", "uint8" -> {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                yield new Tensor(dtype, shape, a);
            }
            case "bool" -> {
                boolean[] a = new boolean[b.remaining()];
                for (int i = 0; i < a.length; i++) a[i] = b.get() != 0;
                yield new Tensor(dtype, shape, a);
            }
            default -> throw new IllegalArgumentException("unsupported TensorFlow Lite output element type " + dtype);
        };
    }

    private static ByteBuffer allocate(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }
}
