package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.OnnxFormatException;
import dev.modelyard.server.onnx.OnnxInspector;
import dev.modelyard.server.tflite.TfliteFormatException;
import dev.modelyard.server.tflite.TfliteInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs converters one after another, each on the previous one's output, and checks the end
 * result against the source: every ONNX or TFLite output must pass the same inspection as an upload, and a
 * final ONNX or ORT file must load in ONNX Runtime and stay within tolerance of the source on
 * generated inputs. Conversion jobs and the benchmark both go through here.
 */
public final class ConversionChain {

    /** One converter and the format it writes (onnx, ort, or an opaque format). */
    public record Step(Converter converter, String outputFormat, String version) {
    }

    /** What one step did. */
    public record StepResult(String converter, String version, Map<String, Object> parameters, String outputFormat,
                             long millis, long outputBytes) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("converter", converter);
            m.put("version", version);
            m.put("parameters", parameters);
            m.put("outputFormat", outputFormat);
            m.put("millis", millis);
            m.put("outputBytes", outputBytes);
            return m;
        }
    }

    /**
     * A checked result. {@code equivalence} is empty for formats ONNX Runtime cannot run;
     * {@code onnx} holds the inspection of an ONNX output.
     */
    public record Result(Path output, String outputFormat, List<StepResult> steps, long totalMillis,
                         long sessionLoadMillis, Optional<EquivalenceCheck.Report> equivalence,
                         Optional<OnnxInspector.Report> onnx, long sourceBytes, long outputBytes,
                         Optional<EquivalenceCheck.SelfTestReport> selfTest) {

        public double sizeRatio() {
            return outputBytes == 0 ? 0 : (double) sourceBytes / outputBytes;
        }
    }

    private ConversionChain() {
    }

    public static Result run(Path source, List<Step> steps, Path workDir, Conversions.Check check,
                             OnnxInspector.Limits limits, ConversionLog log) throws ConversionException {
        return run(source, steps, workDir, check, limits, log, SessionLoader.DEFAULT);
    }

    /** As {@link #run(Path, List, Path, Conversions.Check, OnnxInspector.Limits, ConversionLog)}, loading sessions through {@code sessions}. */
    public static Result run(Path source, List<Step> steps, Path workDir, Conversions.Check check,
                             OnnxInspector.Limits limits, ConversionLog log, SessionLoader sessions) throws ConversionException {
        if (steps.isEmpty()) throw new ConversionException("a conversion needs at least one step");
        long start = System.nanoTime();
        List<StepResult> done = new ArrayList<>();
        Path in = source;
        Optional<OnnxInspector.Report> onnx = Optional.empty();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            stopIfInterrupted();
            Path out = workDir.resolve("step-" + (i + 1) + "." + step.outputFormat());
            String label = "step " + (i + 1) + " (" + step.converter().name() + ")";
            log.line(label + ": started");
            long t0 = System.nanoTime();
            step.converter().convert(in, out);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long size = outputSize(label, out);
            onnx = "onnx".equals(step.outputFormat()) ? Optional.of(inspect(label, out, limits)) : Optional.empty();
            // The registry cannot run TFLite here, but it can read it: a step that writes a broken file
            // fails now, as an upload of that file would, instead of reaching devices.
            if ("tflite".equals(step.outputFormat())) inspectTflite(label, out);
            done.add(new StepResult(step.converter().name(), step.version(), step.converter().parameters(),
                    step.outputFormat(), millis, size));
            log.line(label + ": wrote " + size + " bytes in " + millis + " ms");
            deleteIntermediate(in, source);
            in = out;
        }
        stopIfInterrupted();
        String format = steps.get(steps.size() - 1).outputFormat();
        long loadMillis = 0;
        Optional<EquivalenceCheck.Report> equivalence = Optional.empty();
        Optional<EquivalenceCheck.SelfTestReport> selfTest = Optional.empty();
        if (runnable(format)) {
            try (EquivalenceCheck.Sessions loaded = EquivalenceCheck.Sessions.load(sessions, source, in)) {
                loadMillis = loaded.candidateLoadMillis();
                stopIfInterrupted();
                Checked c = check(loaded, check, log);
                equivalence = Optional.of(c.report());
                selfTest = c.selfTest();
            }
        } else {
            log.line("format " + format + " cannot be run by the registry: no equivalence check");
        }
        long total = (System.nanoTime() - start) / 1_000_000;
        try {
            return new Result(in, format, List.copyOf(done), total, loadMillis, equivalence, onnx,
                    Files.size(source), Files.size(in), selfTest);
        } catch (IOException e) {
            throw new ConversionException("could not read the result: " + e.getMessage(), e);
        }
    }

    private record Checked(EquivalenceCheck.Report report, Optional<EquivalenceCheck.SelfTestReport> selfTest) {
    }

    /** Generated inputs, then the version's self-test vectors, on the same two sessions. */
    private static Checked check(EquivalenceCheck.Sessions loaded, Conversions.Check check, ConversionLog log)
            throws ConversionException {
        EquivalenceCheck.Report r = EquivalenceCheck.compare(loaded, check.samples(), check.seed(), check.tolerance());
        log.line(String.format("equivalence on %d generated inputs: max abs error %.3g, min cosine %.6f",
                r.samples(), r.maxAbsError(), r.minCosine()));
        Optional<EquivalenceCheck.SelfTestReport> selfTest = Optional.empty();
        if (check.selfTest().isPresent()) {
            EquivalenceCheck.SelfTestReport t = EquivalenceCheck.selfTest(loaded, check.selfTest().get());
            log.line(String.format("on the version's %d self-test cases: max abs error %.3g and min cosine %.6f against the "
                            + "source, max abs error %.3g against the expected outputs (allowed %.3g)",
                    t.cases(), t.maxAbsError(), t.minCosine(), t.maxErrorToExpected(), t.tolerance()));
            if (!t.passes()) {
                throw new ConversionException(String.format("the result fails the version's self-test vectors: %s is "
                                + "off by %.3g where they allow %.3g, so devices would refuse it (widen the vectors' "
                                + "tolerance if this precision is acceptable)", t.worst(), t.maxErrorToExpected(),
                        t.tolerance()));
            }
            selfTest = Optional.of(t);
            r = new EquivalenceCheck.Report(r.samples(), r.seed(), Math.max(r.maxAbsError(), t.maxAbsError()),
                    Math.min(r.minCosine(), t.minCosine()), r.tolerance());
        }
        if (!r.withinTolerance()) {
            throw new ConversionException(String.format(
                    "the result's outputs are too far from the source's: max abs error %.3g (limit %.3g), "
                            + "min cosine %.6f (limit %.6f)", r.maxAbsError(), check.tolerance().maxAbsError(),
                    r.minCosine(), check.tolerance().minCosine()));
        }
        return new Checked(r, selfTest);
    }

    /** Formats ONNX Runtime loads, so results in them are checked against the source. */
    public static boolean runnable(String format) {
        return "onnx".equals(format) || "ort".equals(format);
    }

    private static long outputSize(String label, Path out) throws ConversionException {
        try {
            if (!Files.isRegularFile(out)) throw new ConversionException(label + " produced no output file");
            long size = Files.size(out);
            if (size == 0) throw new ConversionException(label + " produced an empty output file");
            return size;
        } catch (IOException e) {
            throw new ConversionException(label + ": could not read its output: " + e.getMessage(), e);
        }
    }

    private static OnnxInspector.Report inspect(String label, Path out, OnnxInspector.Limits limits)
            throws ConversionException {
        try {
            return OnnxInspector.inspect(out, limits);
        } catch (OnnxFormatException e) {
            throw new ConversionException(label + " produced a file that is not a usable ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConversionException(label + ": could not read its output: " + e.getMessage(), e);
        }
    }

    private static void inspectTflite(String label, Path out) throws ConversionException {
        try {
            TfliteInspector.inspect(out, TfliteInspector.Limits.DEFAULT);
        } catch (TfliteFormatException e) {
            throw new ConversionException(label + " produced a file that is not a usable TensorFlow Lite model: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConversionException(label + ": could not read its output: " + e.getMessage(), e);
        }
    }

    private static void stopIfInterrupted() throws ConversionException {
        if (Thread.currentThread().isInterrupted()) throw new ConversionException("the conversion was stopped");
    }

    private static void deleteIntermediate(Path file, Path source) {
        if (file.equals(source)) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the work directory is removed as a whole afterwards
        }
    }
}
