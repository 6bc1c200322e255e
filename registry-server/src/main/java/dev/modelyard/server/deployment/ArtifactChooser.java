package dev.modelyard.server.deployment;

import dev.modelyard.wire.CpuFeatures;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.VersionRange;
import dev.modelyard.wire.ddi.DeviceAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Picks the artifact of a version for one device (design rule "Picking the artifact"): keep the
 * artifacts whose target the device satisfies (an update payload with runtime {@value
 * TargetDescriptor#NO_RUNTIME} needs no reported runtime, so it fits a stock hawkBit client that
 * reports none; a file that needs CPU features fits only a device that reported them all), then
 * order the fitting ones by {@link #order(boolean)}: an accelerator over the CPU, then lower precision when
 * the deployment allows it (higher otherwise), then the file made more specifically for the device,
 * then an optimized conversion over an unoptimized file, then the smaller file, then the name.
 * When none fits, the answer says what each artifact misses. A pure function: no I/O, no clock.
 */
public final class ArtifactChooser {

    private ArtifactChooser() {
    }

    /**
     * An artifact as the chooser sees it.
     *
     * @param optimized whether a conversion profile that optimizes for speed made it (an
     *                  optimized fp32 file is often a little larger than its source, so size alone
     *                  would never pick it)
     */
    public record Candidate(UUID id, String filename, long size, TargetDescriptor target, boolean optimized) {

        /** An artifact that no optimizing conversion made (an upload, or a plain conversion). */
        public Candidate(UUID id, String filename, long size, TargetDescriptor target) {
            this(id, filename, size, target, false);
        }
    }

    /**
     * What a device offers, from its configData attributes ({@link DeviceAttributes}). Missing
     * facts are null (or empty), and every requirement that needs them is unmet.
     *
     * @param runtimes    runtime name → version
     * @param cpuFeatures the CPU features it reported ({@link CpuFeatures} names); empty when it reported none
     */
    public record Device(String arch, Set<String> accelerators, Map<String, String> runtimes, Long memoryMb,
                         Long diskFreeMb, String os, Set<String> cpuFeatures) {

        public Device {
            cpuFeatures = cpuFeatures == null ? Set.of() : Set.copyOf(cpuFeatures);
        }

        public static Device fromAttributes(Map<String, String> attributes) {
            Map<String, String> a = attributes == null ? Map.of() : attributes;
            Set<String> acc = new LinkedHashSet<>();
            String list = a.get(DeviceAttributes.ACCELERATORS);
            if (list != null) {
                Arrays.stream(list.split("[,\\s]+")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                        .filter(s -> !s.isEmpty()).forEach(acc::add);
            }
            acc.add("cpu");
            Map<String, String> runtimes = new TreeMap<>();
            a.forEach((k, v) -> {
                if (k.startsWith(DeviceAttributes.RUNTIME_PREFIX) && k.length() > DeviceAttributes.RUNTIME_PREFIX.length()
                        && v != null && !v.isBlank()) {
                    runtimes.put(k.substring(DeviceAttributes.RUNTIME_PREFIX.length()).toLowerCase(Locale.ROOT), v.strip());
                }
            });
            return new Device(arch(a.get(DeviceAttributes.ARCH)), acc, runtimes, number(a.get(DeviceAttributes.MEMORY_MB)),
                    number(a.get(DeviceAttributes.DISK_FREE_MB)), lower(a.get(DeviceAttributes.OS)),
                    // Updaters before protocol 2 report their features but refuse signed metadata
                    // naming any: to them, a file that needs features is one they cannot install.
                    DeviceAttributes.cpuFeaturesInMetadata(a) ? CpuFeatures.parse(a.get(DeviceAttributes.CPU_FEATURES)) : Set.of());
        }

        /** An architecture as the descriptors name it, from how a device or the JVM spells it ({@code amd64}, {@code arm64}, …). */
        public static String arch(String reported) {
            String a = lower(reported);
            if (a == null) return null;
            return switch (a) {
                case "amd64", "x64", "x86-64" -> "x86_64";
                case "arm64", "armv8", "aarch64_be" -> "aarch64";
                case "armhf", "armv7l", "arm" -> "armv7";
                case "armv6l" -> "armv6";
                case "riscv64gc" -> "riscv64";
                default -> a;
            };
        }

        private static String lower(String s) {
            return s == null || s.isBlank() ? null : s.strip().toLowerCase(Locale.ROOT);
        }

        private static Long number(String s) {
            if (s == null || s.isBlank()) return null;
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** The outcome: an artifact, or the reason none fits. */
    public record Choice(Optional<Candidate> chosen, String reason) {
        static Choice of(Candidate c) {
            return new Choice(Optional.of(c), null);
        }

        static Choice none(String reason) {
            return new Choice(Optional.empty(), reason);
        }
    }

    /** What {@code device} lacks to run an artifact built for {@code t}; empty when it can. */
    public static List<String> unmet(TargetDescriptor t, long size, Device device) {
        List<String> unmet = new ArrayList<>();
        if (!t.anyArch()) {
            if (device.arch() == null) {
                unmet.add("arch " + t.arch() + " (device did not report '" + DeviceAttributes.ARCH + "')");
            } else if (!t.arch().equals(device.arch())) {
                unmet.add("arch " + t.arch() + " (device is " + device.arch() + ")");
            }
        }
        boolean archFits = t.anyArch() || t.arch().equals(device.arch());
        // Features belong to an architecture: on another one (or an unknown one) the arch miss says it all.
        if (archFits && t.needsCpuFeatures()) {
            Set<String> missing = CpuFeatures.missing(t.cpuFeatures(), device.cpuFeatures());
            if (!missing.isEmpty()) {
                unmet.add("cpu features " + String.join(", ", missing) + (device.cpuFeatures().isEmpty()
                        ? " (device did not report '" + DeviceAttributes.CPU_FEATURES + "', or its updater predates protocol "
                        + DeviceAttributes.UPDATER_PROTOCOL + ")"
                        : " (device has " + String.join(", ", new TreeSet<>(device.cpuFeatures())) + ")"));
            }
        }
        if (!device.accelerators().contains(t.accelerator())) {
            unmet.add("accelerator " + t.accelerator() + " (device has " + String.join(", ", device.accelerators()) + ")");
        }
        String version = device.runtimes().get(t.runtime());
        if (t.needsNoRuntime()) {
            // an update payload: the device's own client installs it
        } else if (version == null) {
            unmet.add("runtime " + t.runtime() + (device.runtimes().isEmpty()
                    ? " (device reported no runtime: '" + DeviceAttributes.RUNTIME_PREFIX + t.runtime() + "')"
                    : " (device has " + String.join(", ", device.runtimes().keySet()) + ")"));
        } else if (t.runtimeVersion() != null && !VersionRange.parse(t.runtimeVersion()).contains(version)) {
            unmet.add(t.runtime() + " " + t.runtimeVersion() + " (device has " + version + ")");
        }
        if (t.minMemoryMb() != null) {
            if (device.memoryMb() == null) {
                unmet.add("memory " + t.minMemoryMb() + " MB (device did not report '" + DeviceAttributes.MEMORY_MB + "')");
            } else if (device.memoryMb() < t.minMemoryMb()) {
                unmet.add("memory " + t.minMemoryMb() + " MB (device has " + device.memoryMb() + " MB)");
            }
        }
        if (device.diskFreeMb() != null && size > device.diskFreeMb() * 1024 * 1024) {
            unmet.add("disk space " + ceilMb(size) + " MB (device has " + device.diskFreeMb() + " MB free)");
        }
        if (t.os() != null && !t.os().equals(device.os())) {
            unmet.add("os " + t.os() + " (device is " + (device.os() == null ? "not reported" : device.os()) + ")");
        }
        return unmet;
    }

    /**
     * @param lowPrecision whether lower precision is preferred (the deployment's choice); when
     *                     false, higher precision wins among otherwise equal artifacts
     */
    public static Choice choose(List<Candidate> artifacts, Device device, boolean lowPrecision) {
        if (artifacts.isEmpty()) return Choice.none("the version has no artifacts");
        List<Candidate> fitting = new ArrayList<>();
        List<String> misses = new ArrayList<>();
        for (Candidate c : artifacts) {
            List<String> unmet = unmet(c.target(), c.size(), device);
            if (unmet.isEmpty()) {
                fitting.add(c);
            } else {
                misses.add(c.filename() + " needs " + String.join(", ", unmet));
            }
        }
        if (fitting.isEmpty()) {
            misses.sort(null);
            return Choice.none("no artifact fits the device: " + String.join("; ", misses));
        }
        return Choice.of(fitting.stream().min(order(lowPrecision)).orElseThrow());
    }

    /**
     * The order among fitting artifacts, best first; each rule only breaks the ties of the ones
     * before it:
     * <ol>
     * <li>an accelerator over the CPU: the device has it, and it is what the device is for;</li>
     * <li>precision as the deployment says ({@code lowPrecision}): it is a decision a person made
     *     for this rollout, so nothing about the file overrides it;</li>
     * <li>the more specific target: a concrete architecture over {@value TargetDescriptor#ANY_ARCH},
     *     then more required CPU features counted with all they imply ({@link CpuFeatures#closure}:
     *     {@code [avx512f]} is narrower than six AVX2-era features, which a plain count would
     *     reverse; the device has them all, or the file would not fit), then
     *     a runtime version range over none, then a named OS over none. A file built for narrower
     *     hardware was built for a reason (kernels for those features, a runtime's newer operators),
     *     and the device meets every one of its requirements;</li>
     * <li>an optimized conversion over an unoptimized file of the same precision: fused operators
     *     run faster, while the file is often a few percent larger than its source;</li>
     * <li>the smaller file: less to download and to hold in memory;</li>
     * <li>the file name, so the answer never depends on the order the database lists them.</li>
     * </ol>
     */
    static Comparator<Candidate> order(boolean lowPrecision) {
        return Comparator
                .comparingInt((Candidate c) -> "cpu".equals(c.target().accelerator()) ? 1 : 0)
                .thenComparingInt(c -> lowPrecision ? precisionRank(c.target().precision()) : -precisionRank(c.target().precision()))
                .thenComparingInt(c -> c.target().anyArch() ? 1 : 0)
                .thenComparingInt(c -> -CpuFeatures.closure(c.target().cpuFeatures()).size())
                .thenComparingInt(c -> c.target().runtimeVersion() == null ? 1 : 0)
                .thenComparingInt(c -> c.target().os() == null ? 1 : 0)
                .thenComparingInt(c -> c.optimized() ? 0 : 1)
                .thenComparingLong(Candidate::size)
                .thenComparing(Candidate::filename);
    }

    /** Lower numbers are lower precision. */
    static int precisionRank(String precision) {
        return switch (precision) {
            case "int4" -> 0;
            case "int8", "uint8" -> 1;
            case "mixed" -> 2;
            case "fp16", "bf16" -> 3;
            default -> 4; // fp32
        };
    }

    private static long ceilMb(long bytes) {
        return (bytes + 1024 * 1024 - 1) / (1024 * 1024);
    }
}
