package dev.modelyard.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's model, {@code demo-classifier}: an iris flower classifier, four measurements in cm
 * (sepal length and width, petal length and width) to scores for three species, as
 * {@code softmax(features × weights + bias)} in ONNX (MatMul, Add, Softmax). Version 1.0.0 looks at
 * the petal length only; 1.1.0 uses all four measurements (multinomial logistic regression on
 * Fisher's data), so the two answer the same flower differently.
 */
record SampleModel(String version, String changelog, float[][] weights, float[] bias) {

    static final String NAME = "demo-classifier";
    static final String INPUT = "features";
    static final String OUTPUT = "scores";
    static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");
    /** The last flower of Fisher's iris data set, a virginica. */
    static final float[] SAMPLE = {5.9f, 3.0f, 5.1f, 1.8f};
    /** The first one, a setosa. */
    static final float[] SETOSA = {5.1f, 3.5f, 1.4f, 0.2f};
    /** The largest difference between ONNX Runtime's outputs and the ones computed here that the device accepts. */
    static final double TOLERANCE = 1e-4;

    static SampleModel first() {
        return new SampleModel("1.0.0", "first release: petal length only", new float[][]{
                {0f, 0f, 0f},
                {0f, 0f, 0f},
                {-2.0f, 0.2f, 2.0f},
                {0f, 0f, 0f}},
                new float[]{5.0f, 1.0f, -9.0f});
    }

    static SampleModel second() {
        return new SampleModel("1.1.0", "all four measurements: tells versicolor from virginica", new float[][]{
                {-0.42f, 0.53f, -0.11f},
                {0.97f, -0.32f, -0.65f},
                {-2.52f, -0.21f, 2.73f},
                {-1.08f, -0.94f, 2.02f}},
                new float[]{9.85f, 2.24f, -12.09f});
    }

    /** The ONNX file of this version. */
    byte[] onnx() {
        int classes = bias.length;
        float[] flat = new float[weights.length * classes];
        for (int i = 0; i < weights.length; i++) System.arraycopy(weights[i], 0, flat, i * classes, classes);
        return new OnnxGraph("iris-" + version)
                .initializer("weights", flat, weights.length, classes)
                .initializer("bias", bias, classes)
                .node("MatMul", "logits", INPUT, "weights")
                .node("Add", "biased", "logits", "bias")
                .node("Softmax", OUTPUT, "biased")
                .input(INPUT, weights.length)
                .output(OUTPUT, classes)
                .model("modelyard-demo");
    }

    /** The scores the model gives {@code features}, computed here in double precision. */
    double[] scores(float[] features) {
        double[] logits = new double[bias.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < logits.length; c++) {
            double sum = bias[c];
            for (int i = 0; i < features.length; i++) sum += (double) features[i] * weights[i][c];
            logits[c] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (int c = 0; c < logits.length; c++) {
            logits[c] = Math.exp(logits[c] - max);
            total += logits[c];
        }
        for (int c = 0; c < logits.length; c++) logits[c] /= total;
        return logits;
    }

    /**
     * The version's self-test vectors (see the README): the device runs them on the new model in
     * ONNX Runtime before it serves a request, and refuses the version when an output is off.
     */
    Map<String, Object> selfTest() {
        return Map.of("tolerance", TOLERANCE, "cases", List.of(selfTestCase("virginica", SAMPLE), selfTestCase("setosa", SETOSA)));
    }

    private Map<String, Object> selfTestCase(String name, float[] features) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("inputs", Map.of(INPUT, tensor(toDoubles(features))));
        c.put("outputs", Map.of(OUTPUT, tensor(scores(features))));
        return c;
    }

    /** A request body of the device's inference API for one flower. */
    static Map<String, Object> request(float[] features) {
        return Map.of("inputs", Map.of(INPUT, tensor(toDoubles(features))));
    }

    private static Map<String, Object> tensor(double[] row) {
        return Map.of("dtype", "float32", "shape", List.of(1, row.length), "data", row);
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    /** {@code virginica 0.77 (versicolor 0.23, setosa 0.00)}: the species by score, highest first. */
    static String describe(List<Double> scores) {
        Integer[] order = {0, 1, 2};
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores.get(b), scores.get(a)));
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT, "%s %.2f (", SPECIES.get(order[0]), scores.get(order[0])));
        for (int i = 1; i < order.length; i++) {
            s.append(String.format(java.util.Locale.ROOT, "%s%s %.2f", i > 1 ? ", " : "", SPECIES.get(order[i]), scores.get(order[i])));
        }
        return s.append(')').toString();
    }
}
