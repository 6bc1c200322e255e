package dev.modelyard.device;

import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.onnx.OnnxEngine;
import dev.modelyard.device.runtime.tflite.TfliteEngine;
import java.nio.file.Path;
import java.util.Optional;

/** The engines the updater enables by default on this (x86_64) machine, as the tests use them. */
public final class TestEngines {

    private TestEngines() {
    }

    public static Engines all() {
        return Engines.of(new OnnxEngine(), tflite());
    }

    public static TfliteEngine tflite() {
        // DJL extracts the natives from the jar once; the build directory keeps them out of the home directory.
        return new TfliteEngine(Path.of("target", "natives"), Optional.empty());
    }
}
