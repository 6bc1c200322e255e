import dev.modelyard.server.conversion.BuiltInConverters;
import dev.modelyard.server.conversion.ConversionChain;
import dev.modelyard.server.conversion.ConversionLog;
import dev.modelyard.server.conversion.Conversions;
import dev.modelyard.server.conversion.Converter;
import dev.modelyard.server.conversion.EquivalenceCheck;
import dev.modelyard.server.conversion.Fp16WeightConverter;
import dev.modelyard.server.conversion.Int8WeightQuantizer;
import dev.modelyard.server.conversion.Ort;
import dev.modelyard.server.conversion.OrtOptimizer;
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
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generates a float32 two-layer perceptron of about 100 MB (4096 → 4096 → 2048, opset 17), runs
 * every converter on it with the equivalence check, and prints a Markdown table; then runs target
 * profiles through {@link ConversionChain}, the code conversion jobs use, and prints a second one.
 * Argument: the hidden width (default 4096; the input width is the same, the output width half
 * of it).
 */
public class ConversionBench {

    public static void main(String[] args) throws Exception {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        Path dir = Files.createTempDirectory("conversion-bench");
        try {
            long t0 = System.nanoTime();
            Path src = dir.resolve("mlp.onnx");
            Onnx.write(mlp(width, width, width / 2, 1), src);
            System.out.printf("generated %s: %.1f MB in %.1f s%n", src.getFileName(), Files.size(src) / 1e6,
                    (System.nanoTime() - t0) / 1e9);
            System.out.printf("%d cores, Java %s, ONNX Runtime %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion());
            Ort.load(src).close(); // warm-up: native library, thread pools, page cache
            long srcLoad = medianLoadMillis(src);

            EquivalenceCheck.Tolerance lossless = new EquivalenceCheck.Tolerance(1e-4, 0.99999);
            EquivalenceCheck.Tolerance fp16 = new EquivalenceCheck.Tolerance(1e-2, 0.9999);
            EquivalenceCheck.Tolerance int8 = new EquivalenceCheck.Tolerance(5e-2, 0.999);
            record Run(Converter converter, String file, EquivalenceCheck.Tolerance tolerance) {
            }
            List<Run> runs = List.of(
                    new Run(new OrtOptimizer(OrtOptimizer.Level.BASIC, OrtOptimizer.Format.ONNX), "basic.onnx", lossless),
                    new Run(new OrtOptimizer(OrtOptimizer.Level.ALL, OrtOptimizer.Format.ONNX), "all.onnx", lossless),
                    new Run(OrtOptimizer.toOrtFormat(), "basic.ort", lossless),
                    new Run(new Fp16WeightConverter(16), "fp16.onnx", fp16),
                    new Run(new Int8WeightQuantizer(true, 16), "int8.onnx", int8));
            System.out.println();
            System.out.println("| converter | parameters | portable | conversion | output size | size ratio | max abs error | min cosine | session load (median of 5) | inference, batch 1 (median of 20) |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            System.out.printf("| (source, fp32) | | yes | | %.1f MB | 1.00 | | | %d ms | %.2f ms |%n", Files.size(src) / 1e6, srcLoad,
                    medianRunMillis(src, width));
            for (Run r : runs) {
                Conversions.Result res = Conversions.run(r.converter(), src, dir.resolve(r.file()),
                        new Conversions.Check(8, 42, r.tolerance()));
                System.out.printf("| %s | %s | %s | %.2f s | %.1f MB | %.2f | %.2e | %.6f | %d ms | %.2f ms |%n",
                        res.converter(), res.parameters(), res.portable() ? "yes" : "no (this CPU)",
                        res.conversionMillis() / 1000.0, res.outputBytes() / 1e6, res.sizeRatio(),
                        res.equivalence().maxAbsError(), res.equivalence().minCosine(), medianLoadMillis(res.output()),
                        medianRunMillis(res.output(), width));
            }
            profiles(src, dir, width);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A target profile as a job runs it: built-in steps by name, the result's tolerance. */
    record Profile(String name, List<String> converters, EquivalenceCheck.Tolerance tolerance) {
    }

    /**
     * Each profile through {@link ConversionChain#run} with the job's settings (8 generated
     * inputs, seed 42, upload inspection limits), in a work directory of its own as a job has.
     */
    static void profiles(Path src, Path dir, int width) throws Exception {
        List<Profile> profiles = List.of(
                new Profile("any-cpu-fp32-ort", List.of("ort-format"), new EquivalenceCheck.Tolerance(1e-4, 0.99999)),
                new Profile("any-cpu-fp16", List.of("fp16-weights"), new EquivalenceCheck.Tolerance(1e-2, 0.9999)),
                new Profile("aarch64-cpu-int8", List.of("int8-weights-qdq"), new EquivalenceCheck.Tolerance(5e-2, 0.999)),
                new Profile("aarch64-cpu-int8-ort", List.of("int8-weights-qdq", "ort-format"), new EquivalenceCheck.Tolerance(5e-2, 0.999)));
        System.out.println();
        System.out.println("| profile | steps | conversion (steps) | checks (inspection, load, equivalence) | total | output size | size ratio | max abs error | min cosine | session load (median of 5) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Profile p : profiles) {
            Path work = Files.createDirectory(dir.resolve(p.name()));
            List<ConversionChain.Step> steps = p.converters().stream()
                    .map(c -> new ConversionChain.Step(BuiltInConverters.create(c, Map.of()), BuiltInConverters.outputFormat(c),
                            BuiltInConverters.version(c)))
                    .toList();
            ConversionChain.Result r = ConversionChain.run(src, steps, work, new Conversions.Check(8, 42, p.tolerance()),
                    OnnxInspector.Limits.DEFAULT, ConversionLog.NONE);
            long stepMillis = r.steps().stream().mapToLong(ConversionChain.StepResult::millis).sum();
            EquivalenceCheck.Report e = r.equivalence().orElseThrow();
            System.out.printf("| %s | %s | %.2f s | %.2f s | %.2f s | %.1f MB | %.2f | %.2e | %.6f | %d ms |%n", p.name(),
                    String.join(" → ", p.converters()), stepMillis / 1000.0, (r.totalMillis() - stepMillis) / 1000.0,
                    r.totalMillis() / 1000.0, r.outputBytes() / 1e6, r.sizeRatio(), e.maxAbsError(), e.minCosine(),
                    medianLoadMillis(r.output()));
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

    static double medianRunMillis(Path model, int in) throws Exception {
        float[] x = new float[in];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < in; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        try (ai.onnxruntime.OrtSession s = Ort.load(model);
             ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(Ort.env(), java.nio.FloatBuffer.wrap(x), new long[]{1, in})) {
            s.run(java.util.Map.of("x", t)).close(); // first run: allocations
            long[] ns = new long[20];
            for (int i = 0; i < ns.length; i++) {
                long start = System.nanoTime();
                s.run(java.util.Map.of("x", t)).close();
                ns[i] = System.nanoTime() - start;
            }
            java.util.Arrays.sort(ns);
            return ns[ns.length / 2] / 1e6;
        }
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
