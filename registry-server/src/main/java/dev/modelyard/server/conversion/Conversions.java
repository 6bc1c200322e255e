package dev.modelyard.server.conversion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a converter and accepts its output only if ONNX Runtime loads it and its outputs stay
 * within tolerance of the source's; otherwise the output file is removed and the conversion fails.
 */
public final class Conversions {

    /**
     * How a result is checked: number of generated inputs, their seed, the tolerance, and the
     * version's self-test vectors when it has them.
     */
    public record Check(int samples, long seed, EquivalenceCheck.Tolerance tolerance, Optional<SelfTestVectors> selfTest) {
        public Check(int samples, long seed, EquivalenceCheck.Tolerance tolerance) {
            this(samples, seed, tolerance, Optional.empty());
        }
    }

    /**
     * A checked conversion.
     *
     * @param sizeRatio         source bytes / output bytes (2 means half the size)
     * @param conversionMillis  time the converter took
     * @param sessionLoadMillis time ONNX Runtime took to create a session from the output
     */
    public record Result(String converter, Map<String, Object> parameters, boolean portable, Path output,
                         long inputBytes, long outputBytes, double sizeRatio, long conversionMillis,
                         long sessionLoadMillis, EquivalenceCheck.Report equivalence) {

        /** Lineage and findings, JSON-ready, for an artifact's converter parameters and metadata. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("converter", converter);
            m.put("parameters", parameters);
            m.put("portable", portable);
            m.put("inputBytes", inputBytes);
            m.put("outputBytes", outputBytes);
            m.put("sizeRatio", sizeRatio);
            m.put("conversionMillis", conversionMillis);
            m.put("sessionLoadMillis", sessionLoadMillis);
            m.put("equivalence", equivalence.toMap());
            return m;
        }
    }

    private Conversions() {
    }

    public static Result run(Converter converter, Path in, Path out, Check check) throws ConversionException {
        long start = System.nanoTime();
        try {
            converter.convert(in, out, new Converter.Context(check.selfTest()));
            long conversionMillis = (System.nanoTime() - start) / 1_000_000;
            if (!Files.isRegularFile(out)) {
                throw new ConversionException(converter.name() + " produced no output file");
            }
            long loadMillis;
            EquivalenceCheck.Report report;
            // One session each for the source and the result, for the load time and every comparison.
            try (EquivalenceCheck.Sessions loaded = EquivalenceCheck.Sessions.load(SessionLoader.DEFAULT, in, out)) {
                loadMillis = loaded.candidateLoadMillis();
                report = EquivalenceCheck.compare(loaded, check.samples(), check.seed(), check.tolerance());
            }
            if (!report.withinTolerance()) {
                throw new ConversionException(String.format(
                        "%s changed the model's outputs too much: max abs error %.3g (limit %.3g), min cosine %.6f (limit %.6f)",
                        converter.name(), report.maxAbsError(), check.tolerance().maxAbsError(), report.minCosine(),
                        check.tolerance().minCosine()));
            }
            long inBytes = Files.size(in);
            long outBytes = Files.size(out);
            return new Result(converter.name(), converter.parameters(), converter.portable(), out, inBytes, outBytes,
                    (double) inBytes / outBytes, conversionMillis, loadMillis, report);
        } catch (ConversionException | IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // the caller's temporary directory
            }
            if (e instanceof ConversionException c) throw c;
            throw new ConversionException(converter.name() + " failed: " + e.getMessage(), e);
        }
    }
}
