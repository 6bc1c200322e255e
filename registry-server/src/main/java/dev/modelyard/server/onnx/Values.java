package dev.modelyard.server.onnx;

import java.util.Arrays;

/** Growable primitive arrays for repeated fields, so values sent one per key cost amortised O(1) each. */
public final class Values {

    private Values() {
    }

    public static final class Longs {
        private long[] a = new long[8];
        private int n;

        public void add(long v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        public long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    public static final class Floats {
        private float[] a = new float[8];
        private int n;

        public void add(float v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        public float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    public static final class Doubles {
        private double[] a = new double[8];
        private int n;

        public void add(double v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        public double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
