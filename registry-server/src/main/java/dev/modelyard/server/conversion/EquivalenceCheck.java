package dev.modelyard.server.conversion;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a converted model and its source in ONNX Runtime on the same generated inputs and measures
 * how far apart their outputs are: the largest absolute difference of any element and the lowest
 * cosine similarity of any output tensor. Inputs are deterministic for a seed: floats uniform in
 * [-1, 1), integers in [0, 10), and symbolic dimensions set to 1.
 */
public final class EquivalenceCheck {

    /** The largest acceptable absolute error and the lowest acceptable cosine similarity. */
    public record Tolerance(double maxAbsError, double minCosine) {
        /** For conversions that should not change results beyond float rounding. */
        public static final Tolerance LOSSLESS = new Tolerance(1e-4, 0.99999);
    }

    /** What was measured over {@code samples} inputs. */
    public record Report(int samples, long seed, double maxAbsError, double minCosine, Tolerance tolerance) {
        public boolean withinTolerance() {
            return maxAbsError <= tolerance.maxAbsError() && minCosine >= tolerance.minCosine();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", samples);
            m.put("seed", seed);
            m.put("maxAbsError", maxAbsError);
            m.put("minCosine", minCosine);
            m.put("toleranceMaxAbsError", tolerance.maxAbsError());
            m.put("toleranceMinCosine", tolerance.minCosine());
            return m;
        }
    }

    private EquivalenceCheck() {
    }

    /**
     * The source and the result, each loaded once, for all the comparisons of one check.
     *
     * @param candidateLoadMillis how long ONNX Runtime took to create the result's session
     */
    public record Sessions(OrtSession reference, OrtSession candidate, long candidateLoadMillis) implements AutoCloseable {

        /** Loads the result first (a result ONNX Runtime cannot load fails before the source costs memory). */
        public static Sessions load(SessionLoader loader, Path reference, Path candidate) throws ConversionException {
            long t0 = System.nanoTime();
            OrtSession cand;
            try {
                cand = loader.load(candidate);
            } catch (OrtException e) {
                throw new ConversionException("ONNX Runtime cannot load the result: " + e.getMessage(), e);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            try {
                return new Sessions(loader.load(reference), cand, millis);
            } catch (Throwable e) {
                // Whatever fails (an OutOfMemoryError from a large source too), the result's
                // native session must not outlive this call.
                closeQuietly(cand);
                if (e instanceof Error error) throw error;
                throw new ConversionException("ONNX Runtime cannot load the source: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            closeQuietly(candidate);
            closeQuietly(reference);
        }

        private static void closeQuietly(OrtSession s) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // closing releases native memory; nothing to recover
            }
        }
    }

    /** Compares on {@code samples} generated inputs, loading both models for this call only. */
    public static Report compare(Path reference, Path candidate, int samples, long seed, Tolerance tolerance)
            throws ConversionException {
        try (Sessions s = Sessions.load(SessionLoader.DEFAULT, reference, candidate)) {
            return compare(s, samples, seed, tolerance);
        }
    }

    public static Report compare(Sessions sessions, int samples, long seed, Tolerance tolerance) throws ConversionException {
        OrtSession ref = sessions.reference(), cand = sessions.candidate();
        try {
            if (!ref.getInputNames().equals(cand.getInputNames())) {
                throw new ConversionException("the converted model's inputs " + cand.getInputNames()
                        + " differ from the source's " + ref.getInputNames());
            }
            SplittableRandom random = new SplittableRandom(seed);
            Distance d = new Distance();
            for (int s = 0; s < samples; s++) {
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, NodeInfo> e : ref.getInputInfo().entrySet()) {
                        inputs.put(e.getKey(), generate(e.getKey(), e.getValue(), random));
                    }
                    compareOn(ref, cand, inputs, d, null);
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
            return new Report(samples, seed, d.maxAbs, d.minCos, tolerance);
        } catch (OrtException e) {
            throw new ConversionException("ONNX Runtime could not run the models: " + e.getMessage(), e);
        }
    }

    /**
     * On the version's self-test vectors: how far the result is from the source, and from the
     * outputs the vectors expect (what a device checks before it swaps the result in).
     *
     * @param worst the case and output farthest from what was expected
     */
    public record SelfTestReport(int cases, double maxAbsError, double minCosine, double maxErrorToExpected,
                                 String worst, double tolerance) {
        public boolean passes() {
            return maxErrorToExpected <= tolerance;
        }
    }

    public static SelfTestReport selfTest(Sessions sessions, SelfTestVectors vectors) throws ConversionException {
        OrtSession ref = sessions.reference(), cand = sessions.candidate();
        try {
            Distance d = new Distance();
            Expected e = new Expected();
            for (SelfTestVectors.Case c : vectors.cases()) {
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, SelfTestVectors.Tensor> t : c.inputs().entrySet()) {
                        inputs.put(t.getKey(), t.getValue().toOnnx());
                    }
                    e.caseName = c.name();
                    e.expected = c.expected();
                    compareOn(ref, cand, inputs, d, e);
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
            return new SelfTestReport(vectors.cases().size(), d.maxAbs, d.minCos, e.maxError, e.worst, vectors.tolerance());
        } catch (OrtException ex) {
            throw new ConversionException("ONNX Runtime could not run the self-test vectors: " + ex.getMessage(), ex);
        }
    }

    /** The farthest apart any two outputs were so far. */
    private static final class Distance {
        double maxAbs;
        double minCos = 1;
    }

    /** The expected outputs of the case being run, and the worst distance to them so far. */
    private static final class Expected {
        String caseName;
        Map<String, double[]> expected;
        double maxError;
        String worst;
    }

    private static void compareOn(OrtSession ref, OrtSession cand, Map<String, OnnxTensor> inputs, Distance d, Expected e)
            throws OrtException, ConversionException {
        try (OrtSession.Result a = ref.run(inputs); OrtSession.Result b = cand.run(inputs)) {
            for (Map.Entry<String, OnnxValue> out : a) {
                OnnxValue other = b.get(out.getKey()).orElseThrow(() -> new ConversionException(
                        "the converted model has no output '" + out.getKey() + "'"));
                double[] x = values(out.getKey(), out.getValue());
                double[] y = values(out.getKey(), other);
                if (x.length != y.length) {
                    throw new ConversionException("output '" + out.getKey() + "' has " + y.length
                            + " elements instead of " + x.length);
                }
                d.maxAbs = Math.max(d.maxAbs, maxAbsDifference(x, y));
                d.minCos = Math.min(d.minCos, cosine(x, y));
                if (e != null && e.expected.containsKey(out.getKey())) {
                    double[] want = e.expected.get(out.getKey());
                    if (want.length != y.length) {
                        throw new ConversionException("self-test case '" + e.caseName + "' expects " + want.length
                                + " elements of output '" + out.getKey() + "', the model gives " + y.length);
                    }
                    double err = maxAbsDifference(want, y);
                    if (e.worst == null || err > e.maxError) {
                        e.maxError = err;
                        e.worst = "case '" + e.caseName + "', output '" + out.getKey() + "'";
                    }
                }
            }
        }
    }

    private static double maxAbsDifference(double[] x, double[] y) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double diff = Math.abs(x[i] - y[i]);
            max = Math.max(max, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
        }
        return max;
    }

    private static double cosine(double[] x, double[] y) {
        double dot = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        double cos = nx == 0 && ny == 0 ? 1 : dot / (Math.sqrt(nx) * Math.sqrt(ny));
        return Double.isNaN(cos) ? -1 : cos;
    }

    private static OnnxTensor generate(String name, NodeInfo info, SplittableRandom random)
            throws OrtException, ConversionException {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new ConversionException("input '" + name + "' is not a tensor; only tensor inputs can be generated");
        }
        long[] shape = t.getShape().clone();
        for (int i = 0; i < shape.length; i++) if (shape[i] < 0) shape[i] = 1;
        long count = 1;
        for (long d : shape) count = Math.multiplyExact(count, d);
        if (count > 64L * 1024 * 1024) {
            throw new ConversionException("input '" + name + "' of shape " + Arrays.toString(shape) + " is too large to generate");
        }
        int n = (int) count;
        OrtEnvironment env = Ort.env();
        switch (t.type) {
            case FLOAT -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) (random.nextDouble() * 2 - 1);
                return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = random.nextDouble() * 2 - 1;
                return OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = random.nextInt(10);
                return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
            }
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = random.nextInt(10);
                return OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
            }
            case INT8, UINT8, BOOL -> {
                ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) b.put((byte) random.nextInt(t.type == OnnxJavaType.BOOL ? 2 : 10));
                b.rewind();
                return OnnxTensor.createTensor(env, b, shape, t.type);
            }
            default -> throw new ConversionException("input '" + name + "' has element type " + t.type
                    + ", which the equivalence check cannot generate");
        }
    }

    private static double[] values(String name, OnnxValue value) throws ConversionException {
        if (!(value instanceof OnnxTensor t)) throw new ConversionException("output '" + name + "' is not a tensor");
        OnnxJavaType type = t.getInfo().type;
        switch (type) {
            case FLOAT, FLOAT16, BFLOAT16 -> {
                FloatBuffer b = t.getFloatBuffer();
                double[] r = new double[b.remaining()];
                for (int i = 0; i < r.length; i++) r[i] = b.get(i);
                return r;
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] r = new double[b.remaining()];
                b.get(r);
                return r;
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                double[] r = new double[b.remaining()];
                for (int i = 0; i < r.length; i++) r[i] = b.get(i);
                return r;
            }
            case INT32 -> {
                IntBuffer b = t.getIntBuffer();
                double[] r = new double[b.remaining()];
                for (int i = 0; i < r.length; i++) r[i] = b.get(i);
                return r;
            }
            case INT8, UINT8, BOOL -> {
                ByteBuffer b = t.getByteBuffer();
                double[] r = new double[b.remaining()];
                for (int i = 0; i < r.length; i++) r[i] = type == OnnxJavaType.UINT8 ? b.get(i) & 0xff : b.get(i);
                return r;
            }
            default -> throw new ConversionException("output '" + name + "' has element type " + type
                    + ", which the equivalence check cannot compare");
        }
    }
}
