package dev.modelyard.device.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.TestEngines;
import dev.modelyard.device.runtime.onnx.OnnxEngine;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.TfliteMlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {

    @Test
    void reportsEachRuntimeWithTheVersionItsNativesSayOnceLoaded(@TempDir Path dir) throws Exception {
        Engines engines = TestEngines.all();
        Map<String, String> versions = engines.versions();
        assertEquals(java.util.Set.of("onnxruntime", "tflite"), versions.keySet());
        // What the build recorded is what the natives report when a model loads.
        try (LoadedModel m = engines.forTarget("onnxruntime", "onnx").load(OnnxModels.addBias(dir.resolve("m.onnx"), 1, 1, 1, 1), 1)) {
            assertEquals(ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(), versions.get("onnxruntime"));
        }
        Path tflite = Files.write(dir.resolve("m.tflite"), TfliteMlp.seeded(1, 4, 4, 2).float32());
        try (LoadedModel m = engines.forTarget("tflite", "tflite").load(tflite, 1)) {
            assertEquals(org.tensorflow.lite.TensorFlowLite.runtimeVersion(), versions.get("tflite"));
        }
    }

    @Test
    void refusesATargetThisDeviceCannotRun() {
        Engines engines = Engines.of(new OnnxEngine());
        SwapException none = assertThrows(SwapException.class, () -> engines.forTarget("armnn", "tflite"));
        assertEquals(SwapException.Stage.LOAD, none.stage());
        assertTrue(none.getMessage().contains("no runtime armnn (it has onnxruntime)"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Engines.of(new OnnxEngine(), new OnnxEngine()));
    }
}
