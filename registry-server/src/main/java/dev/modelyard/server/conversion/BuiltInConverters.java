package dev.modelyard.server.conversion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The converters a profile step can name, built from the step's parameters. Unknown names and
 * parameters are refused rather than ignored, so a typo never silently changes a result.
 */
public final class BuiltInConverters {

    /**
     * Bumped when a converter's output for the same input and parameters changes; part of every
     * converted artifact's lineage and of the job's idempotency key. 2: ort-optimize names the
     * nodes ONNX Runtime adds deterministically.
     */
    public static final String IMPLEMENTATION_VERSION = "2";

    /** Each converter's settable parameters; its {@link Converter#parameters()} may say more (derived values). */
    private static final Map<String, List<String>> SETTABLE = Map.of(
            "ort-optimize", List.of("level"),
            "ort-format", List.of("level"),
            "fp16-weights", List.of("minElements"),
            "int8-weights-qdq", List.of("perChannel", "minElements"),
            "int8-dynamic", List.of("perChannel", "reduceRange", "minElements"),
            "int8-static", List.of("perChannel", "reduceRange"));

    public static final Set<String> NAMES = SETTABLE.keySet();

    private BuiltInConverters() {
    }

    /** A converter by name; {@link IllegalArgumentException} names what is wrong with the parameters. */
    public static Converter create(String name, Map<String, Object> params) {
        Map<String, Object> p = params == null ? Map.of() : params;
        return switch (name == null ? "" : name) {
            case "ort-optimize" -> {
                allow(name, p);
                yield new OrtOptimizer(level(p), OrtOptimizer.Format.ONNX);
            }
            case "ort-format" -> {
                allow(name, p);
                yield new OrtOptimizer(level(p), OrtOptimizer.Format.ORT);
            }
            case "fp16-weights" -> {
                allow(name, p);
                yield new Fp16WeightConverter(longParam(p, "minElements", 16));
            }
            case "int8-weights-qdq" -> {
                allow(name, p);
                yield new Int8WeightQuantizer(boolParam(p, "perChannel", true), longParam(p, "minElements", 16));
            }
            case "int8-dynamic" -> {
                allow(name, p);
                yield new Int8DynamicQuantizer(boolParam(p, "perChannel", true), boolParam(p, "reduceRange", true),
                        longParam(p, "minElements", 16));
            }
            case "int8-static" -> {
                allow(name, p);
                yield new Int8StaticQuantizer(boolParam(p, "perChannel", true), boolParam(p, "reduceRange", true));
            }
            default -> throw new IllegalArgumentException("converter: '" + name + "' is not one of " + new TreeSet<>(NAMES));
        };
    }

    /** The parameters a built-in converter takes, or null when there is no converter of that name. */
    public static List<String> settableParameters(String name) {
        return name == null ? null : SETTABLE.get(name);
    }

    /** The file format a built-in converter writes. */
    public static String outputFormat(String name) {
        return "ort-format".equals(name) ? "ort" : "onnx";
    }

    /** What determines a built-in converter's output besides its parameters. */
    public static String version(String name) {
        String v = name + " " + IMPLEMENTATION_VERSION;
        return name.startsWith("ort-") ? v + " (onnxruntime " + Ort.version() + ")" : v;
    }

    /** The parameters with defaults filled in, as they go into the idempotency key and the lineage. */
    public static Map<String, Object> effectiveParameters(String name, Map<String, Object> params) {
        Map<String, Object> all = create(name, params).parameters();
        Map<String, Object> settable = new LinkedHashMap<>();
        for (String key : SETTABLE.get(name)) settable.put(key, all.get(key));
        return settable;
    }

    private static void allow(String name, Map<String, Object> p) {
        Set<String> known = Set.copyOf(SETTABLE.get(name));
        for (String k : p.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("params: '" + k + "' is not a parameter of " + name
                        + "; it takes " + new TreeSet<>(known));
            }
        }
    }

    private static OrtOptimizer.Level level(Map<String, Object> p) {
        Object v = p.getOrDefault("level", "basic");
        try {
            return OrtOptimizer.Level.valueOf(String.valueOf(v).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("params.level: '" + v + "' is not one of basic, extended, all");
        }
    }

    private static long longParam(Map<String, Object> p, String key, long dflt) {
        Object v = p.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 0) return n.longValue();
        throw new IllegalArgumentException("params." + key + ": must be a whole number of 0 or more");
    }

    private static boolean boolParam(Map<String, Object> p, String key, boolean dflt) {
        Object v = p.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("params." + key + ": must be true or false");
    }
}
