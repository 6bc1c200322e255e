package dev.modelyard.device.runtime;

import dev.modelyard.wire.TargetDescriptor;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A model file with the runtime and format its signed target names: what picks the engine that
 * loads it.
 */
public record ModelFile(Path path, String runtime, String format) {

    public ModelFile {
        if (path == null || runtime == null || format == null) throw new IllegalArgumentException("path, runtime and format are required");
    }

    /** The file of a signed target. */
    public static ModelFile of(Path path, TargetDescriptor target) {
        return new ModelFile(path, target.runtime(), target.format());
    }

    /**
     * A file whose format is its name's extension (model.onnx, model.tflite), run by that format's
     * usual runtime: for files made on the device itself, which carry no signed target.
     */
    public static ModelFile byExtension(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) throw new IllegalArgumentException(name + " has no extension naming its format");
        String format = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return new ModelFile(path, TargetDescriptor.defaultRuntime(format), format);
    }
}
