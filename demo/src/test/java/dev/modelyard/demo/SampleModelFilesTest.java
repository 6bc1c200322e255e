package dev.modelyard.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleModelFilesTest {

    @Test
    void writesBothVersionsAsTheDemoReleasesThem(@TempDir Path dir) throws Exception {
        List<Path> files = SampleModelFiles.write(dir.resolve("models"));
        assertEquals(List.of(dir.resolve("models/demo-classifier-1.0.0.onnx"), dir.resolve("models/demo-classifier-1.1.0.onnx")), files);
        assertArrayEquals(SampleModel.first().onnx(), Files.readAllBytes(files.get(0)));
        assertArrayEquals(SampleModel.second().onnx(), Files.readAllBytes(files.get(1)));
    }
}
