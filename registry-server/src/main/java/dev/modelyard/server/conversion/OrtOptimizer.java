package dev.modelyard.server.conversion;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Graph optimization by ONNX Runtime, saved as ONNX or as ORT format. {@code basic} (constant
 * folding, redundant node removal) keeps standard operators, so the result runs anywhere;
 * {@code extended} and {@code all} fuse into runtime-specific operators and may lay weights out
 * for the converting machine's CPU, so the result is only for devices like it.
 */
public final class OrtOptimizer implements Converter {

    public enum Level {
        BASIC(OptLevel.BASIC_OPT), EXTENDED(OptLevel.EXTENDED_OPT), ALL(OptLevel.ALL_OPT);

        final OptLevel ort;

        Level(OptLevel ort) {
            this.ort = ort;
        }
    }

    public enum Format { ONNX, ORT }

    private final Level level;
    private final Format format;

    public OrtOptimizer(Level level, Format format) {
        this.level = level;
        this.format = format;
    }

    /** ONNX to ORT format, with basic optimizations so the file stays portable. */
    public static OrtOptimizer toOrtFormat() {
        return new OrtOptimizer(Level.BASIC, Format.ORT);
    }

    @Override
    public String name() {
        return format == Format.ORT ? "ort-format" : "ort-optimize";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("level", level.name().toLowerCase(Locale.ROOT));
        p.put("format", format.name().toLowerCase(Locale.ROOT));
        return p;
    }

    @Override
    public boolean portable() {
        return level == Level.BASIC;
    }

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        String file = out.getFileName().toString();
        if (format == Format.ORT && !file.endsWith(".ort")) {
            throw new ConversionException("an ORT format output must be named *.ort, not '" + file + "'");
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(level.ort);
            o.setOptimizedModelFilePath(out.toString());
            if (format == Format.ORT) o.addConfigEntry("session.save_model_format", "ORT");
            Ort.env().createSession(in.toString(), o).close();
        } catch (OrtException e) {
            throw new ConversionException("ONNX Runtime could not optimize the model: " + e.getMessage(), e);
        }
    }
}
