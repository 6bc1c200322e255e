package dev.modelyard.wire.trust;

import dev.modelyard.wire.CpuFeatures;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.VersionRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a device offers, to match against an artifact's {@link TargetDescriptor}.
 *
 * @param arch         CPU architecture (one of {@link TargetDescriptor#ARCHES}, not "any")
 * @param accelerators accelerators it can run on, e.g. [cpu, npu]
 * @param runtimes     the inference runtimes it has, name → version (onnxruntime → 1.18.0, tflite → 2.6.2)
 * @param cpuFeatures  the CPU features it has: named canonically, and only {@link CpuFeatures#KNOWN} ones are
 *                     kept, as {@link CpuFeatures#parse(String)} does for what devices report
 * @param memoryMb     memory available to models
 * @param os           operating system, or null when not known
 */
public record DeviceFacts(String arch, List<String> accelerators, Map<String, String> runtimes, Set<String> cpuFeatures,
                          long memoryMb, String os) {

    public DeviceFacts {
        if (arch == null || TargetDescriptor.ANY_ARCH.equals(arch) || !TargetDescriptor.ARCHES.contains(arch)) {
            throw new IllegalArgumentException("arch: '" + arch + "' is not a concrete architecture");
        }
        if (accelerators == null || accelerators.isEmpty()) {
            throw new IllegalArgumentException("accelerators: at least one is required (cpu)");
        }
        accelerators = List.copyOf(accelerators);
        if (runtimes == null || runtimes.isEmpty()) throw new IllegalArgumentException("runtimes: at least one is required");
        runtimes.forEach((name, version) -> {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("runtimes: a runtime needs a name");
            if (version == null || version.isBlank()) throw new IllegalArgumentException("runtimes: " + name + " needs a version");
        });
        runtimes = Collections.unmodifiableMap(new TreeMap<>(runtimes));
        cpuFeatures = cpuFeatures == null ? Set.of() : known(cpuFeatures);
        if (memoryMb < 0) throw new IllegalArgumentException("memoryMb: must not be negative");
    }

    /** A device with one runtime and no reported CPU features. */
    public DeviceFacts(String arch, List<String> accelerators, String runtime, String runtimeVersion, long memoryMb, String os) {
        this(arch, accelerators, runtimeMap(runtime, runtimeVersion), Set.of(), memoryMb, os);
    }

    /** The same vocabulary a device reports with, so "asimd" here satisfies a target needing "neon". */
    private static Set<String> known(Set<String> features) {
        Set<String> known = new TreeSet<>();
        for (String f : features) {
            if (f == null) continue;
            String c = CpuFeatures.canonical(f);
            if (CpuFeatures.KNOWN.contains(c)) known.add(c);
        }
        return Collections.unmodifiableSet(known);
    }

    private static Map<String, String> runtimeMap(String runtime, String version) {
        if (runtime == null || runtime.isBlank()) throw new IllegalArgumentException("runtime: is required");
        if (version == null || version.isBlank()) throw new IllegalArgumentException("runtimeVersion: is required");
        return Map.of(runtime, version);
    }

    /** Each requirement of {@code target} this device does not meet, described; empty when it can run it. */
    public List<String> unmetRequirements(TargetDescriptor target) {
        List<String> unmet = new ArrayList<>();
        if (!target.anyArch() && !target.arch().equals(arch)) {
            unmet.add("arch " + target.arch() + " (device is " + arch + ")");
        }
        if (!accelerators.contains(target.accelerator())) {
            unmet.add("accelerator " + target.accelerator() + " (device has " + accelerators + ")");
        }
        String version = runtimes.get(target.runtime());
        if (version == null) {
            unmet.add("runtime " + target.runtime() + " (device has " + String.join(", ", runtimes.keySet()) + ")");
        } else if (target.runtimeVersion() != null && !VersionRange.parse(target.runtimeVersion()).contains(version)) {
            unmet.add("runtime version " + target.runtimeVersion() + " (device has " + version + ")");
        }
        Set<String> missing = CpuFeatures.missing(target.cpuFeatures(), cpuFeatures);
        // A name outside the vocabulary (signed by a newer server) is never reported by any device: say
        // so instead of listing the device's features as if one of them were missing by accident.
        Set<String> unknown = new TreeSet<>(missing);
        unknown.removeAll(CpuFeatures.KNOWN);
        missing.removeAll(unknown);
        if (!unknown.isEmpty()) {
            unmet.add("cpu features " + String.join(", ", unknown) + " (not known CPU features; this device knows "
                    + String.join(", ", new TreeSet<>(CpuFeatures.KNOWN)) + ")");
        }
        if (!missing.isEmpty()) {
            unmet.add("cpu features " + String.join(", ", missing) + " (device has "
                    + (cpuFeatures.isEmpty() ? "none reported" : String.join(", ", cpuFeatures)) + ")");
        }
        if (target.minMemoryMb() != null && memoryMb < target.minMemoryMb()) {
            unmet.add("memory " + target.minMemoryMb() + " MB (device has " + memoryMb + " MB)");
        }
        if (target.os() != null && !target.os().equals(os)) {
            unmet.add("os " + target.os() + " (device is " + (os == null ? "unknown" : os) + ")");
        }
        return unmet;
    }
}
