import dev.modelyard.server.conversion.BuiltInConverters;
import dev.modelyard.server.conversion.ConversionChain;
import dev.modelyard.server.conversion.ConversionLog;
import dev.modelyard.server.conversion.Conversions;
import dev.modelyard.server.conversion.EquivalenceCheck;
import dev.modelyard.server.conversion.Ort;
import dev.modelyard.server.conversion.SelfTestVectors;
import dev.modelyard.server.onnx.Onnx.AttributeProto;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.OperatorSetId;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxInspector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * What each built-in converter costs and gives, on two float32 models built in code: a two-layer
 * perceptron of about 100 MB (4096 → 4096 → 2048, opset 17) and a small convolutional
 * classifier (3×64×64 image, four 3×3 convolutions, 1000 classes, 2.6 MB). For each converter:
 * conversion time, output size, error against the source (through {@link Conversions#run}, the
 * equivalence check), session load time, and batch-1 CPU latency p50/p99 against the float32
 * source; and the peak RSS of a separate JVM ({@code -Xmx512m}, as a server) running the
 * converter as a conversion job does ({@link ConversionChain#run} with self-test vectors).
 *
 * <p>Modes: no argument or a width (default 4096) runs everything, and a comma-separated list of
 * converters after the width runs only those rows; {@code job <model> <converter>
 * <self-test.json>} is the child that runs one job and prints its peak RSS, usable on its own
 * with any build of the server's classes (to compare versions of the check); {@code write <dir>
 * [width]} writes the perceptron and its self-test document there for it.
 */
public class ConversionBench {

    static final EquivalenceCheck.Tolerance LOSSLESS = new EquivalenceCheck.Tolerance(1e-4, 0.99999);
    static final EquivalenceCheck.Tolerance FP16 = new EquivalenceCheck.Tolerance(1e-2, 0.9999);
    static final EquivalenceCheck.Tolerance INT8 = new EquivalenceCheck.Tolerance(5e-2, 0.999);
    /** Activations in 8 bits as well: the perceptron's outputs move by up to about 0.05 (cosine stays above 0.9998). */
    static final EquivalenceCheck.Tolerance INT8_STATIC = new EquivalenceCheck.Tolerance(1e-1, 0.999);
    static final int RUNS = 200;

    /** One input tensor of a benchmark model. */
    record Input(String name, long[] shape) {
        int elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return Math.toIntExact(n);
        }
    }

    record Bench(String label, Path model, Input input) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("job")) {
            job(Path.of(args[1]), args[2], Path.of(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("write")) {
            int width = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
            Path dir = Files.createDirectories(Path.of(args[1]));
            Path mlp = dir.resolve("mlp.onnx");
            Onnx.write(mlp(width, width, width / 2, 1), mlp);
            Files.writeString(dir.resolve("mlp-self-test.json"), selfTestDocument(new Bench("mlp", mlp, new Input("x", new long[]{1, width})), 3));
            return;
        }
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        // An optional comma-separated list of converters measures only those rows (and the source's).
        Set<String> only = args.length > 1 ? Set.of(args[1].split(",")) : BuiltInConverters.NAMES;
        Path dir = Files.createTempDirectory("conversion-bench");
        try {
            System.out.printf("%d cores, Java %s, ONNX Runtime %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(), loadAverage());
            Path mlp = dir.resolve("mlp.onnx");
            Onnx.write(mlp(width, width, width / 2, 1), mlp);
            Path cnn = dir.resolve("cnn.onnx");
            Onnx.write(cnn(1), cnn);
            List<Bench> benches = List.of(
                    new Bench(String.format("MLP %d → %d → %d (%.1f MB)", width, width, width / 2, Files.size(mlp) / 1e6), mlp,
                            new Input("x", new long[]{1, width})),
                    new Bench(String.format("CNN 3×64×64 → 1000 (%.1f MB)", Files.size(cnn) / 1e6), cnn,
                            new Input("image", new long[]{1, 3, 64, 64})));
            for (Bench b : benches) table(b, dir, only);
            System.out.printf("%nload average at the end: %s%n", loadAverage());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    record Run(String converter, Map<String, Object> params, EquivalenceCheck.Tolerance tolerance) {
        String file() {
            return converter + params.values().stream().map(v -> "-" + v).reduce("", String::concat) + "."
                    + BuiltInConverters.outputFormat(converter);
        }
    }

    static void table(Bench b, Path dir, Set<String> only) throws Exception {
        Path work = Files.createDirectory(dir.resolve(b.model().getFileName() + "-runs"));
        Path selfTest = work.resolve("self-test.json");
        Files.writeString(selfTest, selfTestDocument(b, 3));
        Ort.load(b.model()).close(); // warm-up: native library, thread pools, page cache
        double[] source = latency(b.model(), b.input());
        System.out.printf("%n%s%n%n", b.label());
        System.out.println("| converter | parameters | portable | conversion | output size | size ratio | max abs error | min cosine | session load (median of 5) | latency p50 / p99 (batch 1, " + RUNS + " runs) | p50 vs fp32 | job peak RSS |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.printf("| (source, fp32) | | yes | | %.1f MB | 1.00 | | | %d ms | %.2f / %.2f ms | 1.00× | |%n",
                Files.size(b.model()) / 1e6, medianLoadMillis(b.model()), source[0], source[1]);
        List<Run> runs = List.of(
                new Run("ort-optimize", Map.of("level", "basic"), LOSSLESS),
                new Run("ort-optimize", Map.of("level", "all"), LOSSLESS),
                new Run("ort-format", Map.of("level", "basic"), LOSSLESS),
                new Run("fp16-weights", Map.of(), FP16),
                new Run("int8-weights-qdq", Map.of(), INT8),
                new Run("int8-dynamic", Map.of(), INT8),
                new Run("int8-static", Map.of(), INT8_STATIC));
        // The self-test document is what int8-static calibrates on; the other converters ignore it.
        Optional<SelfTestVectors> vectors = Optional.of(SelfTestVectors.parse(Files.readString(selfTest)));
        for (Run r : runs) {
            if (!only.contains(r.converter())) continue;
            Conversions.Result res = Conversions.run(BuiltInConverters.create(r.converter(), r.params()), b.model(),
                    work.resolve(r.file()), new Conversions.Check(8, 42, r.tolerance(), vectors));
            double[] lat = latency(res.output(), b.input());
            long rssKb = childJobPeakRssKb(b.model(), r.converter(), r.params(), selfTest);
            System.out.printf("| %s | %s | %s | %.2f s | %.2f MB | %.2f | %.2e | %.6f | %d ms | %.2f / %.2f ms | %.2f× | %d MB |%n",
                    res.converter(), r.params().isEmpty() ? "defaults" : "level " + r.params().get("level"), res.portable() ? "yes" : "no (this CPU)",
                    res.conversionMillis() / 1000.0, res.outputBytes() / 1e6, res.sizeRatio(), res.equivalence().maxAbsError(),
                    res.equivalence().minCosine(), medianLoadMillis(res.output()), lat[0], lat[1], source[0] / lat[0],
                    rssKb / 1024);
            Files.delete(res.output());
        }
    }

    /**
     * Runs {@code job} in a fresh JVM with a server's heap limit and returns its peak resident
     * set (VmHWM): the bench's own JVM has loaded every model already.
     */
    static long childJobPeakRssKb(Path model, String converter, Map<String, Object> params, Path selfTest) throws Exception {
        if (!params.isEmpty() && !params.equals(Map.of("level", "basic"))) return childJob(model, converter + ":" + params.get("level"), selfTest);
        return childJob(model, converter, selfTest);
    }

    static long childJob(Path model, String converter, Path selfTest) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "bench/conversion/ConversionBench.java", "job", model.toString(), converter, selfTest.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("the job for " + converter + " failed: " + out);
        for (String line : out.split("\n")) {
            if (line.startsWith("peak RSS kB ")) return Long.parseLong(line.substring("peak RSS kB ".length()).trim());
        }
        throw new IllegalStateException("no peak RSS from the job for " + converter + ": " + out);
    }

    /** The child: one conversion as a job runs it (steps by name, upload limits, 8 inputs, self-test), then VmHWM. */
    static void job(Path model, String converter, Path selfTest) throws Exception {
        String[] nameLevel = converter.split(":");
        Map<String, Object> params = nameLevel.length > 1 ? Map.of("level", nameLevel[1]) : Map.of();
        String name = nameLevel[0];
        EquivalenceCheck.Tolerance t = name.equals("int8-static") ? INT8_STATIC : name.startsWith("int8") ? INT8 : name.startsWith("fp16") ? FP16 : LOSSLESS;
        Path work = Files.createTempDirectory("conversion-bench-job");
        try {
            ConversionChain.Step step = new ConversionChain.Step(BuiltInConverters.create(name, params),
                    BuiltInConverters.outputFormat(name), BuiltInConverters.version(name));
            long t0 = System.nanoTime();
            ConversionChain.Result r = ConversionChain.run(model, List.of(step), work,
                    new Conversions.Check(8, 42, t, java.util.Optional.of(SelfTestVectors.parse(Files.readString(selfTest)))),
                    OnnxInspector.Limits.DEFAULT, ConversionLog.NONE);
            System.out.printf("job %s: %d bytes in %d ms (wall %d ms)%n", converter, r.outputBytes(), r.totalMillis(),
                    (System.nanoTime() - t0) / 1_000_000);
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) System.out.println("peak RSS kB " + line.replaceAll("[^0-9]", ""));
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Self-test vectors in the version document's format, expecting the source's own outputs. */
    static String selfTestDocument(Bench b, int cases) throws Exception {
        StringBuilder doc = new StringBuilder("{\"tolerance\": 0.1, \"cases\": [");
        try (ai.onnxruntime.OrtSession s = Ort.load(b.model())) {
            for (int c = 0; c < cases; c++) {
                float[] x = input(b.input(), 100 + c);
                try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(Ort.env(), java.nio.FloatBuffer.wrap(x), b.input().shape());
                     ai.onnxruntime.OrtSession.Result out = s.run(Map.of(b.input().name(), t))) {
                    java.nio.FloatBuffer y = ((ai.onnxruntime.OnnxTensor) out.get(0)).getFloatBuffer();
                    String outName = s.getOutputNames().iterator().next();
                    doc.append(c == 0 ? "" : ",").append("{\"name\": \"case-").append(c).append("\", \"inputs\": {\"")
                            .append(b.input().name()).append("\": {\"dtype\": \"float32\", \"shape\": ")
                            .append(java.util.Arrays.toString(b.input().shape())).append(", \"data\": ").append(floats(x))
                            .append("}}, \"outputs\": {\"").append(outName).append("\": {\"data\": ");
                    float[] yv = new float[y.remaining()];
                    y.get(yv);
                    doc.append(floats(yv)).append("}}}");
                }
            }
        }
        return doc.append("]}").toString();
    }

    static String floats(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.append(']').toString();
    }

    static float[] input(Input in, long seed) {
        float[] x = new float[in.elements()];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static long medianLoadMillis(Path model) throws Exception {
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            Ort.load(model).close();
            t[i] = (System.nanoTime() - start) / 1_000_000;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    /** Batch-1 latency p50 and p99 in ms over {@link #RUNS} runs after ten warm-up runs, default session options. */
    static double[] latency(Path model, Input in) throws Exception {
        float[] x = input(in, 3);
        try (ai.onnxruntime.OrtSession s = Ort.load(model);
             ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(Ort.env(), java.nio.FloatBuffer.wrap(x), in.shape())) {
            for (int i = 0; i < 10; i++) s.run(Map.of(in.name(), t)).close();
            long[] ns = new long[RUNS];
            for (int i = 0; i < ns.length; i++) {
                long start = System.nanoTime();
                s.run(Map.of(in.name(), t)).close();
                ns[i] = System.nanoTime() - start;
            }
            java.util.Arrays.sort(ns);
            return new double[]{ns[ns.length / 2] / 1e6, ns[(int) Math.ceil(ns.length * 0.99) - 1] / 1e6};
        }
    }

    /**
     * A small image classifier: four 3×3 convolutions (3 → 32 → 64 → 128 → 256 channels) with
     * Relu, max pooling after the first three, global average pooling, and a 256 → 1000 Gemm.
     */
    static ModelProto cnn(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<NodeProto> nodes = new java.util.ArrayList<>();
        List<TensorProto> inits = new java.util.ArrayList<>();
        List<AttributeProto> conv = List.of(AttributeProto.ofInts("kernel_shape", 3, 3), AttributeProto.ofInts("pads", 1, 1, 1, 1));
        int[] channels = {3, 32, 64, 128, 256};
        String x = "image";
        for (int i = 1; i < channels.length; i++) {
            int in = channels[i - 1], out = channels[i];
            inits.add(weights("conv" + i + ".w", new long[]{out, in, 3, 3}, in * 9, r));
            inits.add(weights("conv" + i + ".b", new long[]{out}, in * 9, r));
            nodes.add(new NodeProto("Conv", List.of(x, "conv" + i + ".w", "conv" + i + ".b"), List.of("c" + i), "conv" + i, conv));
            nodes.add(new NodeProto("Relu", List.of("c" + i), List.of("r" + i), "relu" + i, List.of()));
            x = "r" + i;
            if (i < channels.length - 1) {
                nodes.add(new NodeProto("MaxPool", List.of(x), List.of("p" + i), "pool" + i,
                        List.of(AttributeProto.ofInts("kernel_shape", 2, 2), AttributeProto.ofInts("strides", 2, 2))));
                x = "p" + i;
            }
        }
        nodes.add(new NodeProto("GlobalAveragePool", List.of(x), List.of("gap"), "gap", List.of()));
        nodes.add(new NodeProto("Flatten", List.of("gap"), List.of("flat"), "flatten", List.of(AttributeProto.ofInt("axis", 1))));
        inits.add(weights("fc.w", new long[]{1000, 256}, 256, r));
        inits.add(weights("fc.b", new long[]{1000}, 256, r));
        nodes.add(new NodeProto("Gemm", List.of("flat", "fc.w", "fc.b"), List.of("logits"), "fc", List.of(AttributeProto.ofInt("transB", 1))));
        GraphProto g = new GraphProto(nodes, "cnn", inits,
                List.of(ValueInfoProto.tensor("image", Onnx.DataType.FLOAT, "batch", 3L, 64L, 64L)),
                List.of(ValueInfoProto.tensor("logits", Onnx.DataType.FLOAT, "batch", 1000L)));
        return new ModelProto(8, List.of(new OperatorSetId("", 17)), "conversion-bench", "1", null, 1, null, g,
                List.of(), new byte[0]);
    }

    static ModelProto mlp(int in, int hidden, int out, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        GraphProto g = new GraphProto(List.of(
                new NodeProto("MatMul", List.of("x", "w1"), List.of("h0"), "fc1", List.of()),
                new NodeProto("Add", List.of("h0", "b1"), List.of("h1"), "bias1", List.of()),
                new NodeProto("Relu", List.of("h1"), List.of("h2"), "relu1", List.of()),
                new NodeProto("Gemm", List.of("h2", "w2", "b2"), List.of("y"), "fc2", List.of(AttributeProto.ofInt("transB", 1)))),
                "mlp",
                List.of(weights("w1", new long[]{in, hidden}, in, r), weights("b1", new long[]{hidden}, in, r),
                        weights("w2", new long[]{out, hidden}, hidden, r), weights("b2", new long[]{out}, hidden, r)),
                List.of(ValueInfoProto.tensor("x", Onnx.DataType.FLOAT, "batch", (long) in)),
                List.of(ValueInfoProto.tensor("y", Onnx.DataType.FLOAT, "batch", (long) out)));
        return new ModelProto(8, List.of(new OperatorSetId("", 17)), "conversion-bench", "1", null, 1, null, g,
                List.of(), new byte[0]);
    }

    static TensorProto weights(String name, long[] dims, int fanIn, SplittableRandom r) {
        long n = 1;
        for (long d : dims) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        return TensorProto.ofFloats(name, dims, v);
    }
}
