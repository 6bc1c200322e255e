package dev.modelyard.testing;

import dev.modelyard.testing.TfliteModels.Graph;
import dev.modelyard.testing.TfliteModels.Op;
import dev.modelyard.testing.TfliteModels.Quantization;
import dev.modelyard.testing.TfliteModels.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * A small multilayer perceptron as a runnable TensorFlow Lite model, with the arithmetic it must
 * produce computed here, so tests compare a runtime's answer with an independent reference:
 * {@code input [1, n] -> FULLY_CONNECTED(+bias) -> RELU -> FULLY_CONNECTED(+bias) -> output [1, m]}.
 * Weights come from a seed (uniform in [-0.5, 0.5)), so two seeds give two versions of one model.
 *
 * <p>Tensors, in order: 0 {@code input}, 1 {@code dense/kernel}, 2 {@code dense/bias}, 3 {@code dense},
 * 4 {@code relu}, 5 {@code dense_1/kernel}, 6 {@code dense_1/bias}, 7 {@code output}.
 */
public record TfliteMlp(int inputs, int hidden, int outputs, float[] w1, float[] b1, float[] w2, float[] b2) {

    /** Quantization of the int8 variant: activations per tensor, weights symmetric per tensor. */
    public record Int8Params(float inputScale, int inputZeroPoint, float w1Scale, float hiddenScale,
            float w2Scale, float outputScale, int outputZeroPoint) {
    }

    public static TfliteMlp seeded(long seed, int inputs, int hidden, int outputs) {
        Random r = new Random(seed);
        return new TfliteMlp(inputs, hidden, outputs, uniform(r, hidden * inputs), uniform(r, hidden),
                uniform(r, outputs * hidden), uniform(r, outputs));
    }

    /** A reproducible input with values in [-1, 1). */
    public float[] input(long seed) {
        Random r = new Random(seed);
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** What the float32 model answers for {@code x} (a runtime agrees to float rounding). */
    public float[] run(float[] x) {
        float[] h = dense(x, w1, b1, hidden);
        for (int j = 0; j < hidden; j++) h[j] = Math.max(0, h[j]);
        return dense(h, w2, b2, outputs);
    }

    /** The float32 model. */
    public byte[] float32() {
        return TfliteModels.write(graph(false));
    }

    /** The float32 model's description, for tests that alter one part of a valid file. */
    public Graph graph() {
        return graph(false);
    }

    /** The int8 model's description. */
    public Graph int8Graph() {
        return graph(true);
    }

    /**
     * The int8-quantized model: int8 input, weights and output, int32 biases at scale
     * {@code input scale * weight scale}, as the TFLite converter writes them.
     */
    public byte[] int8() {
        return TfliteModels.write(graph(true));
    }

    /**
     * The int8 variant's quantization. Activation ranges are calibrated on seeded inputs in
     * [-1, 1), with headroom; scales are not powers of two, so exact halfway cases (where runtimes
     * round differently) practically never occur.
     */
    public Int8Params int8Params() {
        float hiddenMax = 0, outMax = 0;
        for (int s = 0; s < 64; s++) {
            float[] x = input(1000 + s);
            float[] h = dense(x, w1, b1, hidden);
            for (float v : h) hiddenMax = Math.max(hiddenMax, Math.abs(v));
            for (float v : run(x)) outMax = Math.max(outMax, Math.abs(v));
        }
        return new Int8Params(1f / 120, 0, maxAbs(w1) / 127, hiddenMax * 1.25f / 127, maxAbs(w2) / 127,
                outMax * 1.25f / 120, 3);
    }

    /** An input in the int8 model's terms. */
    public byte[] quantizeInput(float[] x) {
        Int8Params p = int8Params();
        byte[] q = new byte[x.length];
        for (int i = 0; i < x.length; i++) q[i] = (byte) clamp(roundHalfAway(x[i] / p.inputScale()) + p.inputZeroPoint());
        return q;
    }

    /** An int8 output in real terms. */
    public float[] dequantizeOutput(byte[] q) {
        Int8Params p = int8Params();
        float[] y = new float[q.length];
        for (int i = 0; i < q.length; i++) y[i] = (q[i] - p.outputZeroPoint()) * p.outputScale();
        return y;
    }

    /**
     * What the int8 model answers for {@code x}: integer accumulation, requantization by the real
     * multiplier rounded half away from zero, saturation to int8, RELU as max with the zero point.
     * A runtime agrees exactly unless a value falls within float rounding of a half step.
     */
    public byte[] runInt8(byte[] x) {
        Int8Params p = int8Params();
        int[] hq = denseInt8(x, p.inputZeroPoint(), quantizeWeights(w1, p.w1Scale()),
                quantizeBias(b1, p.inputScale() * p.w1Scale()), hidden, (double) p.inputScale() * p.w1Scale() / p.hiddenScale(), 0);
        byte[] h = new byte[hidden];
        for (int j = 0; j < hidden; j++) h[j] = (byte) Math.max(hq[j], 0);
        int[] yq = denseInt8(h, 0, quantizeWeights(w2, p.w2Scale()), quantizeBias(b2, p.hiddenScale() * p.w2Scale()),
                outputs, (double) p.hiddenScale() * p.w2Scale() / p.outputScale(), p.outputZeroPoint());
        byte[] y = new byte[outputs];
        for (int k = 0; k < outputs; k++) y[k] = (byte) yq[k];
        return y;
    }

    private Graph graph(boolean int8) {
        Int8Params p = int8 ? int8Params() : null;
        int act = int8 ? TfliteModels.INT8 : TfliteModels.FLOAT32;
        int bias = int8 ? TfliteModels.INT32 : TfliteModels.FLOAT32;
        List<TensorSpec> tensors = List.of(
                new TensorSpec("input", act, new int[] {1, inputs}, null, 0, q(p, p == null ? 0 : p.inputScale(), p == null ? 0 : p.inputZeroPoint())),
                new TensorSpec("dense/kernel", act, new int[] {hidden, inputs}, null, 1, q(p, p == null ? 0 : p.w1Scale(), 0)),
                new TensorSpec("dense/bias", bias, new int[] {hidden}, null, 2, q(p, p == null ? 0 : p.inputScale() * p.w1Scale(), 0)),
                new TensorSpec("dense", act, new int[] {1, hidden}, null, 0, q(p, p == null ? 0 : p.hiddenScale(), 0)),
                new TensorSpec("relu", act, new int[] {1, hidden}, null, 0, q(p, p == null ? 0 : p.hiddenScale(), 0)),
                new TensorSpec("dense_1/kernel", act, new int[] {outputs, hidden}, null, 3, q(p, p == null ? 0 : p.w2Scale(), 0)),
                new TensorSpec("dense_1/bias", bias, new int[] {outputs}, null, 4, q(p, p == null ? 0 : p.hiddenScale() * p.w2Scale(), 0)),
                new TensorSpec("output", act, new int[] {1, outputs}, null, 0, q(p, p == null ? 0 : p.outputScale(), p == null ? 0 : p.outputZeroPoint())));
        List<byte[]> buffers = int8
                ? List.of(new byte[0], bytes(quantizeWeights(w1, p.w1Scale())), ints(quantizeBias(b1, p.inputScale() * p.w1Scale())),
                        bytes(quantizeWeights(w2, p.w2Scale())), ints(quantizeBias(b2, p.hiddenScale() * p.w2Scale())))
                : List.of(new byte[0], TfliteModels.floats(w1), TfliteModels.floats(b1), TfliteModels.floats(w2), TfliteModels.floats(b2));
        List<Op> ops = List.of(
                new Op(0, new int[] {0, 1, 2}, new int[] {3}, TfliteModels.FULLY_CONNECTED_OPTIONS),
                new Op(1, new int[] {3}, new int[] {4}, 0),
                new Op(0, new int[] {4, 5, 6}, new int[] {7}, TfliteModels.FULLY_CONNECTED_OPTIONS));
        return new Graph(List.of(TfliteModels.FULLY_CONNECTED, TfliteModels.RELU), tensors, ops,
                new int[] {0}, new int[] {7}, buffers);
    }

    private static Quantization q(Int8Params p, float scale, int zeroPoint) {
        return p == null ? null : Quantization.perTensor(scale, zeroPoint);
    }

    /** Row-major [out, in] weights, as FULLY_CONNECTED stores them. */
    private static float[] dense(float[] x, float[] w, float[] b, int out) {
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            float sum = b[j];
            for (int i = 0; i < x.length; i++) sum += w[j * x.length + i] * x[i];
            y[j] = sum;
        }
        return y;
    }

    private static int[] denseInt8(byte[] x, int xZero, byte[] w, int[] b, int out, double multiplier, int yZero) {
        int[] y = new int[out];
        for (int j = 0; j < out; j++) {
            long acc = b[j];
            for (int i = 0; i < x.length; i++) acc += (long) (x[i] - xZero) * w[j * x.length + i];
            y[j] = clamp(roundHalfAway(acc * multiplier) + yZero);
        }
        return y;
    }

    private static byte[] quantizeWeights(float[] w, float scale) {
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) q[i] = (byte) Math.max(-127, Math.min(127, roundHalfAway(w[i] / scale)));
        return q;
    }

    private static int[] quantizeBias(float[] b, float scale) {
        int[] q = new int[b.length];
        for (int i = 0; i < b.length; i++) q[i] = (int) roundHalfAway((double) b[i] / scale);
        return q;
    }

    private static int roundHalfAway(double v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
    }

    private static int clamp(int v) {
        return Math.max(-128, Math.min(127, v));
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static float[] uniform(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() - 0.5f;
        return v;
    }

    private static byte[] bytes(byte[] b) {
        return b.clone();
    }

    private static byte[] ints(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }
}
