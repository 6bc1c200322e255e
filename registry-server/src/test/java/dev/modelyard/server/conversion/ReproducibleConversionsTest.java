package dev.modelyard.server.conversion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every built-in converter, run twice on the same input with the same parameters, writes the
 * same bytes, so identical conversions store one blob. The exception is ONNX Runtime's ORT
 * format: the runtime writes the file's kernel type table (one entry per operator type) in an
 * order that changes from one save to the next, even in one process with one thread, so two
 * saves can differ in those bytes only. That is pinned here as what it is: same size, and the
 * two files compute exactly the same outputs.
 */
class ReproducibleConversionsTest {

    @TempDir
    Path dir;

    @Test
    void everyBuiltInConverterWritesTheSameBytesTwice() throws Exception {
        Path mlp = TestModels.write(TestModels.mlp(256, 512, 16, 11), dir.resolve("mlp.onnx"));
        Path cnn = TestModels.write(TestModels.cnn(12), dir.resolve("cnn.onnx"));
        Map<String, Map<String, Object>> runs = new LinkedHashMap<>();
        runs.put("ort-optimize", Map.of("level", "basic"));
        runs.put("ort-optimize/extended", Map.of("level", "extended"));
        runs.put("ort-optimize/all", Map.of("level", "all"));
        runs.put("ort-format", Map.of("level", "basic"));
        runs.put("ort-format/all", Map.of("level", "all"));
        runs.put("fp16-weights", Map.of());
        runs.put("int8-weights-qdq", Map.of());
        runs.put("int8-dynamic", Map.of());
        runs.put("int8-static", Map.of());
        // What int8-static calibrates on; the other converters take no context.
        Map<Path, Converter.Context> contexts = Map.of(
                mlp, new Converter.Context(java.util.Optional.of(Int8StaticQuantizerTest.MLP_INPUTS)),
                cnn, new Converter.Context(java.util.Optional.of(Int8StaticQuantizerTest.CNN_INPUTS)));
        assertEquals(BuiltInConverters.NAMES, Map.copyOf(runs).keySet().stream().map(k -> k.split("/")[0])
                .collect(java.util.stream.Collectors.toSet()), "every built-in converter is covered");
        for (Path src : List.of(mlp, cnn)) {
            for (Map.Entry<String, Map<String, Object>> run : runs.entrySet()) {
                String name = run.getKey().split("/")[0];
                String ext = BuiltInConverters.outputFormat(name);
                String[] sha = new String[2];
                Path[] out = new Path[2];
                for (int i = 0; i < 2; i++) {
                    out[i] = dir.resolve(run.getKey().replace('/', '-') + "-" + i + "-" + src.getFileName() + "." + ext);
                    BuiltInConverters.create(name, run.getValue()).convert(src, out[i], contexts.get(src));
                    sha[i] = sha256(out[i]);
                }
                Path first = out[0], second = out[1];
                if (ext.equals("ort")) {
                    assertEquals(Files.size(first), Files.size(second), run.getKey() + ": same size");
                    EquivalenceCheck.Report r = EquivalenceCheck.compare(first, second, 4, 1, EquivalenceCheck.Tolerance.LOSSLESS);
                    assertEquals(0.0, r.maxAbsError(), run.getKey() + " on " + src.getFileName() + ": same outputs");
                } else {
                    assertEquals(sha[0], sha[1], run.getKey() + " on " + src.getFileName() + " wrote different bytes twice");
                }
            }
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
