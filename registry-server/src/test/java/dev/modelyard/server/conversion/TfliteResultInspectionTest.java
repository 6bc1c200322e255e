package dev.modelyard.server.conversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.onnx.OnnxInspector;
import dev.modelyard.testing.TfliteMlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command step that writes TensorFlow Lite is not run by the registry, but its file passes the
 * same inspection as an uploaded one: a broken file fails the conversion with the inspector's reason.
 */
class TfliteResultInspectionTest {

    @TempDir
    Path dir;

    @Test
    void aValidTfliteResultPasses() throws Exception {
        Path src = Files.write(dir.resolve("source.tflite"), TfliteMlp.seeded(7, 8, 16, 4).float32());
        ConversionChain.Result r = ConversionChain.run(src, List.of(copyTo("tflite")), dir, ConvertersTest.LOSSLESS,
                OnnxInspector.Limits.DEFAULT, ConversionLog.NONE);
        assertEquals("tflite", r.outputFormat());
        assertEquals(Files.size(src), Files.size(r.output()));
        assertTrue(r.equivalence().isEmpty(), "the registry does not run TFLite");
    }

    @Test
    void aCorruptTfliteResultFailsWithTheInspectorsReason() throws Exception {
        byte[] valid = TfliteMlp.seeded(7, 8, 16, 4).float32();
        // the flatbuffer's identifier ("TFL3" at byte 4) overwritten: the file is not TFLite any more
        byte[] corrupt = Arrays.copyOf(valid, valid.length);
        corrupt[4] = 'X';
        Path src = Files.write(dir.resolve("corrupt.tflite"), corrupt);
        ConversionException e = assertThrows(ConversionException.class, () -> ConversionChain.run(src,
                List.of(copyTo("tflite")), dir, ConvertersTest.LOSSLESS, OnnxInspector.Limits.DEFAULT, ConversionLog.NONE));
        assertTrue(e.getMessage().startsWith("step 1 (command:cp) produced a file that is not a usable TensorFlow Lite model: "),
                e.getMessage());
        assertFalse(e.getMessage().endsWith(": "), e.getMessage());
        // the same bytes in an opaque format are not looked at
        ConversionChain.Result opaque = ConversionChain.run(src, List.of(copyTo("bin")), dir, ConvertersTest.LOSSLESS,
                OnnxInspector.Limits.DEFAULT, ConversionLog.NONE);
        assertEquals("bin", opaque.outputFormat());
    }

    private ConversionChain.Step copyTo(String format) {
        CommandConverter cp = new CommandConverter(List.of("/bin/cp", "{input}", "{output}"), Map.of(), Duration.ofSeconds(60),
                format, dir, ConversionLog.NONE, 1L << 20);
        return new ConversionChain.Step(cp, format, "1");
    }
}
