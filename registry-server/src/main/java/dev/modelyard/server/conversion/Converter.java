package dev.modelyard.server.conversion;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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

    /**
     * As {@link #convert(Path, Path)}, with what the conversion knows about the version besides
     * its file. Most converters need only the file; one that calibrates on real inputs overrides this.
     */
    default void convert(Path in, Path out, Context context) throws ConversionException {
        convert(in, out);
    }

    /** The version's self-test vectors, when it has them: real inputs for a converter to calibrate on. */
    record Context(Optional<SelfTestVectors> selfTest) {

        public static final Context NONE = new Context(Optional.empty());
    }
}
