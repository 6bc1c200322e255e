package dev.modelyard.server.conversion.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.EquivalenceCheck;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.wire.CpuFeatures;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.CanonicalJson;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to build: the steps, the target descriptor of the result, how close to the source it must
 * stay, how long one attempt may take and how many attempts it gets, and whether the result is
 * optimized for speed (devices get an optimized file before an unoptimized one of the same
 * precision). Profiles hold one; jobs freeze a copy when they are requested.
 *
 * @param optimized null in a request means the default: true when a step is a built-in optimizing
 *                  converter ({@link StepSpec#optimizing()}); only a chain with a command step may
 *                  say otherwise, since the server cannot tell what a program does
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChainSpec(List<StepSpec> steps, TargetDescriptor target, Tolerance tolerance, Integer timeoutSeconds,
                        Integer maxAttempts, Boolean optimized) {

    private static final int MAX_STEPS = 16;

    /** Largest acceptable absolute error and lowest acceptable cosine similarity against the source. */
    public record Tolerance(Double maxAbsError, Double minCosine) {
        public EquivalenceCheck.Tolerance toCheck() {
            return new EquivalenceCheck.Tolerance(maxAbsError, minCosine);
        }
    }

    /**
     * Defaults filled in and every field checked; {@link IllegalArgumentException} names the field.
     * {@code machine} is the CPU conversions run on: a chain with a step that is not portable must
     * target its architecture.
     */
    public ChainSpec normalize(ModelyardConfig.Conversion config, ConvertingMachine machine) {
        if (steps == null || steps.isEmpty()) throw new IllegalArgumentException("steps: at least one step is required");
        if (steps.size() > MAX_STEPS) throw new IllegalArgumentException("steps: at most " + MAX_STEPS);
        List<StepSpec> normalized = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) throw new IllegalArgumentException("steps[" + i + "]: is required");
            normalized.add(steps.get(i).normalize("steps[" + i + "]", config));
        }
        if (target == null) throw new IllegalArgumentException("target: is required");
        TargetDescriptor t;
        try {
            t = TargetDescriptor.of(target.format(), target.runtime(), target.runtimeVersion(), target.arch(),
                    target.accelerator(), target.precision(), target.minMemoryMb(), target.os(), target.cpuFeatures());
        } catch (IllegalArgumentException e) {
            // The descriptor names its own member ("arch: …"); in a chain it is the target's.
            throw new IllegalArgumentException("target." + e.getMessage(), e);
        }
        String produced = normalized.get(normalized.size() - 1).writes();
        if (!produced.equals(t.format())) {
            throw new IllegalArgumentException("target.format: '" + t.format() + "' but the last step writes '" + produced + "'");
        }
        EquivalenceCheck.Tolerance lossless = EquivalenceCheck.Tolerance.LOSSLESS;
        Tolerance tol = new Tolerance(
                tolerance == null || tolerance.maxAbsError() == null ? lossless.maxAbsError() : tolerance.maxAbsError(),
                tolerance == null || tolerance.minCosine() == null ? lossless.minCosine() : tolerance.minCosine());
        if (!(tol.maxAbsError() >= 0)) throw new IllegalArgumentException("tolerance.maxAbsError: must be 0 or more");
        if (!(tol.minCosine() >= -1 && tol.minCosine() <= 1)) {
            throw new IllegalArgumentException("tolerance.minCosine: must be between -1 and 1");
        }
        int timeout = timeoutSeconds == null ? (int) config.jobTimeout().toSeconds() : timeoutSeconds;
        if (timeout < 1 || timeout > 7 * 24 * 3600) throw new IllegalArgumentException("timeoutSeconds: must be between 1 and 604800");
        int attempts = maxAttempts == null ? config.maxAttempts() : maxAttempts;
        if (attempts < 1 || attempts > 20) throw new IllegalArgumentException("maxAttempts: must be between 1 and 20");
        boolean byDefault = normalized.stream().anyMatch(StepSpec::optimizing);
        if (optimized != null && optimized != byDefault && normalized.stream().noneMatch(StepSpec::external)) {
            throw new IllegalArgumentException("optimized: only a chain with a command step may set it; built-in steps decide it"
                    + " (true with ort-optimize, ort-format at level extended or all, int8-dynamic or int8-static; false otherwise)");
        }
        ChainSpec spec = new ChainSpec(List.copyOf(normalized), t, tol, timeout, attempts, optimized == null ? byDefault : optimized);
        spec.resultTarget(machine);
        return spec;
    }

    /** Whether the result is optimized; a job frozen before chains said so takes the default. */
    @JsonIgnore
    public boolean optimizedResult() {
        return optimized != null ? optimized : steps.stream().anyMatch(StepSpec::optimizing);
    }

    /** True when every step's output runs on any CPU of the target (command steps: the target says what they make). */
    @JsonIgnore
    public boolean portable() {
        return steps.stream().allMatch(StepSpec::portable);
    }

    /**
     * The target of the file this chain makes on {@code machine}. A portable chain makes its
     * target. A chain with a step that is not portable makes code for the converting CPU: the
     * result names that CPU's architecture and the features it needs, the target's own list when
     * it names one (the profile knows which features the devices have), else every feature of the
     * converting CPU (nothing less is known to suffice); either way with the converting CPU's
     * vector-width token, which a device must match exactly. A chain with full 8-bit int8 weights
     * must make a file for a named architecture, on x86_64 one that needs VNNI
     * ({@link #requireVnniForFullRangeInt8}).
     *
     * @throws IllegalArgumentException ({@code target.arch: …}) when the target names another
     *                                  architecture: this machine cannot build code for it; or
     *                                  the target lets full 8-bit weights reach x86 CPUs without VNNI
     */
    public TargetDescriptor resultTarget(ConvertingMachine machine) {
        TargetDescriptor made = madeOn(machine);
        requireVnniForFullRangeInt8(made);
        return made;
    }

    private TargetDescriptor madeOn(ConvertingMachine machine) {
        if (portable()) return target;
        String nonPortable = steps.stream().filter(s -> !s.portable()).map(StepSpec::converterName).findFirst().orElseThrow();
        if (machine.arch() == null || !TargetDescriptor.ARCHES.contains(machine.arch()) || TargetDescriptor.ANY_ARCH.equals(machine.arch())) {
            throw new IllegalArgumentException("target.arch: step " + nonPortable + " makes code for the converting CPU, and this"
                    + " server's architecture (" + machine.arch() + ") is not one a target can name; use a portable step (level basic)");
        }
        if (!target.anyArch() && !target.arch().equals(machine.arch())) {
            throw new IllegalArgumentException("target.arch: '" + target.arch() + "' but step " + nonPortable
                    + " makes code for the converting CPU, which is " + machine.arch()
                    + "; use a portable step (level basic) for other architectures, or target " + machine.arch());
        }
        // The vector width is not a choice: the file's kernels are laid out for this CPU's, and
        // only a device of the same width computes them right (CpuFeatures.vectorWidth).
        String width = machine.vectorWidth();
        List<String> other = target.cpuFeatures().stream()
                .filter(f -> CpuFeatures.VECTOR_WIDTHS.contains(f) && !f.equals(width)).toList();
        if (!other.isEmpty()) {
            throw new IllegalArgumentException("target.cpuFeatures: '" + other.get(0) + "' but step " + nonPortable
                    + " lays out kernels for the converting CPU's vector width, which is " + width
                    + "; use a portable step (level basic) for other widths");
        }
        Set<String> features = new TreeSet<>(target.needsCpuFeatures() ? target.cpuFeatures() : machine.features());
        if (width != null) features.add(width);
        return new TargetDescriptor(target.format(), target.runtime(), target.runtimeVersion(), machine.arch(),
                target.accelerator(), target.precision(), target.minMemoryMb(), target.os(), List.copyOf(features));
    }

    /** The x86 features with 8-bit dot products that do not saturate. */
    private static final Set<String> VNNI = Set.of("avx512_vnni", "avx_vnni");

    /**
     * Full 8-bit weights ({@link StepSpec#fullRangeInt8()}) compute right on x86 only with VNNI,
     * and a check on a converting CPU that has it would not notice, so such a file must never go
     * to an x86 device without it: its target names the architecture, and on x86_64 a VNNI
     * feature, which the chooser then requires of devices. The profile names which one (its
     * devices have avx512_vnni, or avx_vnni; a target's features are all required); a chain that
     * makes code for the converting CPU gets it from that CPU's features when the profile names none.
     *
     * @throws IllegalArgumentException ({@code target.arch: …} or {@code target.cpuFeatures: …}) otherwise
     */
    private void requireVnniForFullRangeInt8(TargetDescriptor made) {
        String step = steps.stream().filter(StepSpec::fullRangeInt8).map(StepSpec::converterName).findFirst().orElse(null);
        if (step == null) return;
        String why = "step " + step + " with reduceRange false makes full 8-bit weights, which x86 CPUs without VNNI can"
                + " compute wrong (16-bit saturation); ";
        if (made.anyArch()) {
            throw new IllegalArgumentException("target.arch: " + why + "name the architecture (on x86_64 with avx512_vnni or"
                    + " avx_vnni in cpuFeatures), or keep reduceRange");
        }
        if ("x86_64".equals(made.arch()) && made.cpuFeatures().stream().noneMatch(VNNI::contains)) {
            throw new IllegalArgumentException("target.cpuFeatures: " + why + "name avx512_vnni or avx_vnni, the one the devices"
                    + " have, or keep reduceRange");
        }
    }

    @JsonIgnore
    public boolean hasCommand() {
        return steps.stream().anyMatch(StepSpec::external);
    }

    /** Names of the steps' converters, in order: the artifact's {@code converter}. */
    @JsonIgnore
    public String converterNames() {
        return String.join(", ", steps.stream().map(StepSpec::converterName).toList());
    }

    /** Versions of the steps' converters, in order: the artifact's {@code converter_version}. */
    @JsonIgnore
    public String converterVersions() {
        return String.join(", ", steps.stream().map(StepSpec::version).toList());
    }

    /**
     * SHA-256 of the canonical JSON of the source digest and everything that determines the
     * result (steps with converter versions and parameters, target, tolerance, an optimized flag
     * that differs from the steps' default). Timeouts and
     * attempts are left out: they change how a job runs, not what it makes. A chain that is not
     * portable and names no features makes a file for {@code machine}'s architecture and every
     * feature it has ({@link #resultTarget(ConvertingMachine)}): that is part of what it makes, so
     * replicas on different CPUs do not take their different files for one conversion; one that
     * names features still makes a file for the machine's vector width, which its key names.
     * Portable chains make the same file on any machine, and their keys do not depend on it.
     */
    public String idempotencyKey(String sourceSha256, ConvertingMachine machine) {
        List<Object> chain = new ArrayList<>();
        for (StepSpec s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", s.type());
            if (s.external()) {
                m.put("command", s.command());
                m.put("outputFormat", s.outputFormat());
            } else {
                m.put("converter", s.converter());
            }
            m.put("version", s.version());
            m.put("params", s.params());
            chain.add(m);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("format", target.format());
        t.put("runtime", target.runtime());
        t.put("runtimeVersion", target.runtimeVersion());
        t.put("arch", target.arch());
        t.put("accelerator", target.accelerator());
        t.put("precision", target.precision());
        t.put("minMemoryMb", target.minMemoryMb());
        t.put("os", target.os());
        // Only when named, so the keys of chains without features stay what they were.
        if (target.needsCpuFeatures()) t.put("cpuFeatures", target.cpuFeatures());
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("source", sourceSha256);
        key.put("steps", chain);
        key.put("target", t);
        key.put("tolerance", Map.of("maxAbsError", decimal(tolerance.maxAbsError()), "minCosine", decimal(tolerance.minCosine())));
        // The flag changes the artifact's record, not its bytes: in the key only when it differs
        // from what the steps imply, so existing keys stay what they were.
        if (optimized != null && optimized != steps.stream().anyMatch(StepSpec::optimizing)) key.put("optimized", optimized);
        if (!portable() && !target.needsCpuFeatures()) {
            Map<String, Object> made = new LinkedHashMap<>();
            made.put("arch", machine.arch());
            made.put("cpuFeatures", machine.features().stream().sorted().toList());
            key.put("convertingMachine", made);
        } else if (!portable() && machine.vectorWidth() != null) {
            // Named features are the result's, but its vector width is the converting CPU's
            // (resultTarget adds it): a replica of another width makes another file.
            key.put("convertingMachine", Map.of("vectorWidth", machine.vectorWidth()));
        }
        return Digests.hex(Digests.sha256().digest(CanonicalJson.canonicalize(canonicalNumbers(key))));
    }

    private static String decimal(Double d) {
        return new BigDecimal(d.toString()).stripTrailingZeros().toPlainString();
    }

    /** Canonical JSON takes integers only: other numbers become their plain decimal text. */
    private static Object canonicalNumbers(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            m.forEach((k, x) -> r.put(String.valueOf(k), canonicalNumbers(x)));
            return r;
        }
        if (v instanceof List<?> l) return l.stream().map(ChainSpec::canonicalNumbers).toList();
        if (v instanceof Integer || v instanceof Long || v instanceof Short) return ((Number) v).longValue();
        if (v instanceof Number n) return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        return v;
    }
}
