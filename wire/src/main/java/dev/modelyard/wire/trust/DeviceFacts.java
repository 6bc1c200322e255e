package dev.modelyard.wire.trust;

import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.VersionRange;
import java.util.ArrayList;
import java.util.List;

/**
 * What a device offers, to match against an artifact's {@link TargetDescriptor}.
 *
 * @param arch           CPU architecture (one of {@link TargetDescriptor#ARCHES}, not "any")
 * @param accelerators   accelerators it can run on, e.g. [cpu, npu]
 * @param runtime        the inference runtime it has, e.g. onnxruntime
 * @param runtimeVersion that runtime's version, e.g. 1.18.0
 * @param memoryMb       memory available to models
 * @param os             operating system, or null when not known
 */
public record DeviceFacts(String arch, List<String> accelerators, String runtime, String runtimeVersion,
                          long memoryMb, String os) {

    public DeviceFacts {
        if (arch == null || TargetDescriptor.ANY_ARCH.equals(arch) || !TargetDescriptor.ARCHES.contains(arch)) {
            throw new IllegalArgumentException("arch: '" + arch + "' is not a concrete architecture");
        }
        if (accelerators == null || accelerators.isEmpty()) {
            throw new IllegalArgumentException("accelerators: at least one is required (cpu)");
        }
        accelerators = List.copyOf(accelerators);
        if (runtime == null || runtime.isBlank()) throw new IllegalArgumentException("runtime: is required");
        if (runtimeVersion == null || runtimeVersion.isBlank()) throw new IllegalArgumentException("runtimeVersion: is required");
        if (memoryMb < 0) throw new IllegalArgumentException("memoryMb: must not be negative");
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
        if (!target.runtime().equals(runtime)) {
            unmet.add("runtime " + target.runtime() + " (device has " + runtime + ")");
        } else if (target.runtimeVersion() != null && !VersionRange.parse(target.runtimeVersion()).contains(runtimeVersion)) {
            unmet.add("runtime version " + target.runtimeVersion() + " (device has " + runtimeVersion + ")");
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
