package dev.modelyard.server.conversion;

import java.nio.file.Path;
import java.util.Map;

/**
 * Turns one model file into another for a target. Implementations are pure: they read
 * {@code in}, write {@code out} and touch nothing else.
 */
public interface Converter {

    /** A stable name recorded as an artifact's converter. */
    String name();

    /** The parameters that, with the name, determine the output. */
    Map<String, Object> parameters();

    /**
     * Whether the output runs on any device with the runtime, or only on hardware like the
     * converting machine's (fused, CPU-specific operators).
     */
    boolean portable();

    void convert(Path in, Path out) throws ConversionException;
}
