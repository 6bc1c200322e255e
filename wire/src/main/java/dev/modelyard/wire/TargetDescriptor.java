package dev.modelyard.wire;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What an artifact needs from a device: file format, runtime (and version range), CPU
 * architecture, accelerator and numeric precision, plus optional memory and OS requirements.
 * Both the registry (to store and pick artifacts) and the device (to check signed metadata)
 * use this one definition.
 *
 * @param format         file format: onnx, ort, tflite, … (lower-case token)
 * @param runtime        runtime that executes the file, e.g. onnxruntime; {@value #NO_RUNTIME} for
 *                       payloads that need none (firmware images, update bundles, archives)
 * @param runtimeVersion required runtime versions ({@link VersionRange} syntax), or null for any
 * @param arch           CPU architecture, or {@value #ANY_ARCH} for architecture-independent files
 * @param accelerator    cpu, cuda, npu, … (lower-case token)
 * @param precision      numeric precision of the weights
 * @param minMemoryMb    memory the device needs to run it, or null when unknown
 * @param os             operating system, or null for any
 * @param cpuFeatures    CPU features the file needs ({@link CpuFeatures} names: avx2, avx512f, neon, …),
 *                       sorted and without repeats; empty when it runs on any CPU of its architecture
 */
public record TargetDescriptor(String format, String runtime, String runtimeVersion, String arch,
                               String accelerator, String precision, Integer minMemoryMb, String os,
                               List<String> cpuFeatures) {

    /** At most this many required CPU features. */
    public static final int MAX_CPU_FEATURES = 32;

    public TargetDescriptor {
        if (cpuFeatures == null) {
            cpuFeatures = List.of();
        } else if (cpuFeatures.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("cpuFeatures: must not contain null");
        } else {
            cpuFeatures = List.copyOf(new TreeSet<>(cpuFeatures));
        }
    }

    /** A descriptor that needs no particular CPU feature. */
    public TargetDescriptor(String format, String runtime, String runtimeVersion, String arch,
                            String accelerator, String precision, Integer minMemoryMb, String os) {
        this(format, runtime, runtimeVersion, arch, accelerator, precision, minMemoryMb, os, List.of());
    }

    public static final String ANY_ARCH = "any";
    public static final Set<String> ARCHES = Set.of(ANY_ARCH, "x86_64", "aarch64", "armv7", "armv6", "riscv64");
    public static final Set<String> PRECISIONS = Set.of("fp32", "fp16", "bf16", "int8", "uint8", "int4", "mixed");
    /** The runtime of a payload that needs none: it fits devices whatever runtimes they report, or none. */
    public static final String NO_RUNTIME = "none";
    /**
     * Formats that are not models but update payloads handled by the device's own client
     * (SWUpdate images, RAUC bundles, Mender artifacts, archives, raw images, packages): their
     * default runtime is {@value #NO_RUNTIME}.
     */
    public static final Set<String> PAYLOAD_FORMATS = Set.of("swu", "raucb", "mender", "tar", "tar.gz", "tar.xz",
            "tar.zst", "zip", "bin", "img", "img.gz", "wic", "wic.gz", "hex", "deb", "ipk", "rpm");
    private static final Pattern TOKEN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

    /**
     * Fills defaults for omitted fields (runtime from the format, architecture-independent, cpu,
     * fp32) and validates every field, throwing {@link IllegalArgumentException} naming the field.
     */
    public static TargetDescriptor of(String format, String runtime, String runtimeVersion, String arch,
                                      String accelerator, String precision, Integer minMemoryMb, String os) {
        return of(format, runtime, runtimeVersion, arch, accelerator, precision, minMemoryMb, os, List.of());
    }

    /**
     * As {@link #of(String, String, String, String, String, String, Integer, String)}, with the CPU
     * features the file needs (lower-cased, aliases such as {@code asimd} named canonically). Each
     * must be one of {@link CpuFeatures#KNOWN}: devices report only those, so a target needing any
     * other name would fit no device, and the person naming it would never learn why. (The canonical
     * constructor stays lenient: signed metadata from a newer server with a newer vocabulary must
     * still parse; such a file simply fits no device that does not know the name.)
     */
    public static TargetDescriptor of(String format, String runtime, String runtimeVersion, String arch,
                                      String accelerator, String precision, Integer minMemoryMb, String os,
                                      List<String> cpuFeatures) {
        String f = token("format", lower(format), true);
        TargetDescriptor d = new TargetDescriptor(
                f,
                token("runtime", blankToNull(lower(runtime)) == null ? defaultRuntime(f) : lower(runtime), true),
                blankToNull(runtimeVersion),
                blankToNull(arch) == null ? ANY_ARCH : lower(arch),
                blankToNull(accelerator) == null ? "cpu" : lower(accelerator),
                blankToNull(precision) == null ? "fp32" : lower(precision),
                minMemoryMb,
                blankToNull(lower(os)),
                cpuFeatures == null ? List.of() : cpuFeatures.stream().map(c -> c == null ? null : CpuFeatures.canonical(c)).toList());
        d.validate();
        requireKnown(d.cpuFeatures());
        return d;
    }

    private static void requireKnown(List<String> cpuFeatures) {
        for (String c : cpuFeatures) {
            if (!CpuFeatures.KNOWN.contains(c)) {
                throw new IllegalArgumentException("cpuFeatures: '" + c + "' is not a known CPU feature (known: "
                        + String.join(", ", CpuFeatures.KNOWN.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The runtime a format is normally run by; none for update payloads; the format itself when unknown. */
    public static String defaultRuntime(String format) {
        if (PAYLOAD_FORMATS.contains(format)) return NO_RUNTIME;
        return switch (format) {
            case "onnx", "ort" -> "onnxruntime";
            case "tflite" -> "tflite";
            case "tensorrt", "engine" -> "tensorrt";
            case "openvino" -> "openvino";
            default -> format;
        };
    }

    public void validate() {
        token("format", format, true);
        token("runtime", runtime, true);
        if (runtimeVersion != null) {
            try {
                VersionRange.parse(runtimeVersion);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("runtimeVersion: " + e.getMessage());
            }
        }
        if (!ARCHES.contains(arch)) {
            throw new IllegalArgumentException("arch: '" + arch + "' is not one of " + sorted(ARCHES));
        }
        token("accelerator", accelerator, true);
        if (!PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("precision: '" + precision + "' is not one of " + sorted(PRECISIONS));
        }
        if (minMemoryMb != null && (minMemoryMb < 1 || minMemoryMb > 16 * 1024 * 1024)) {
            throw new IllegalArgumentException("minMemoryMb: must be between 1 and 16777216");
        }
        token("os", os, false);
        if (cpuFeatures.size() > MAX_CPU_FEATURES) {
            throw new IllegalArgumentException("cpuFeatures: at most " + MAX_CPU_FEATURES);
        }
        for (String c : cpuFeatures) token("cpuFeatures", c, true);
        if (!cpuFeatures.isEmpty() && anyArch()) {
            throw new IllegalArgumentException("cpuFeatures: name the architecture (arch) the features belong to");
        }
    }

    /** True when the file runs only on CPUs with particular features. */
    public boolean needsCpuFeatures() {
        return !cpuFeatures.isEmpty();
    }

    /** True when the file needs no runtime on the device (an update payload). */
    public boolean needsNoRuntime() {
        return NO_RUNTIME.equals(runtime);
    }

    /** True for files that run on any CPU architecture (ONNX, TFLite, …). */
    public boolean anyArch() {
        return ANY_ARCH.equals(arch);
    }

    private static String token(String field, String value, boolean required) {
        if (value == null) {
            if (required) throw new IllegalArgumentException(field + ": is required");
            return null;
        }
        if (!TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": '" + value
                    + "' must be a lower-case token of letters, digits, '.', '_' or '-' (at most 32)");
        }
        return value;
    }

    private static String lower(String s) {
        return s == null ? null : s.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String sorted(Set<String> values) {
        return values.stream().sorted().toList().toString();
    }
}
