package dev.modelyard.device.runtime.external;

import dev.modelyard.device.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tensors as the protocol carries them: row-major elements, little-endian, no padding. */
final class TensorBytes {

    private TensorBytes() {
    }

    static byte[] encode(Tensor t) {
        Object data = t.data();
        if (data instanceof byte[] a) return a.clone();
        if (data instanceof boolean[] a) {
            byte[] out = new byte[a.length];
            for (int i = 0; i < a.length; i++) out[i] = (byte) (a[i] ? 1 : 0);
            return out;
        }
        ByteBuffer b;
        if (data instanceof float[] a) {
            b = allocate(4L * a.length);
            b.asFloatBuffer().put(a);
        } else if (data instanceof double[] a) {
            b = allocate(8L * a.length);
            b.asDoubleBuffer().put(a);
        } else if (data instanceof long[] a) {
            b = allocate(8L * a.length);
            b.asLongBuffer().put(a);
        } else if (data instanceof int[] a) {
            b = allocate(4L * a.length);
            b.asIntBuffer().put(a);
        } else {
            throw new IllegalArgumentException("tensors of " + t.dtype() + " cannot be sent to a worker");
        }
        return b.array();
    }

    /** A tensor from its bytes, checking that their count fits the dtype and shape. */
    static Tensor decode(String dtype, long[] shape, byte[] bytes, int offset, int length) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = elements(shape);
        Object data = switch (dtype) {
            case "float32" -> fill(length, n, 4, () -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                return a;
            });
            case "float64" -> fill(length, n, 8, () -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                return a;
            });
            case "int64" -> fill(length, n, 8, () -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return a;
            });
            case "int32" -> fill(length, n, 4, () -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return a;
            });
            case "int8", "uint8" -> fill(length, n, 1, () -> {
                byte[] a = new byte[n];
                b.get(a);
                return a;
            });
            case "bool" -> fill(length, n, 1, () -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = b.get(i) != 0;
                return a;
            });
            default -> throw new IllegalArgumentException("the worker sent a tensor of unknown element type " + dtype);
        };
        return new Tensor(dtype, shape, data);
    }

    private static Object fill(int length, int n, int width, java.util.function.Supplier<Object> read) {
        if ((long) n * width != length) {
            throw new IllegalArgumentException("the worker sent " + length + " bytes for " + n + " elements of " + width + " bytes");
        }
        return read.get();
    }

    private static int elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("the worker sent a negative dimension");
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    private static ByteBuffer allocate(long size) {
        return ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
