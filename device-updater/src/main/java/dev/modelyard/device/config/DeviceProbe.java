package dev.modelyard.device.config;

import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.onnx.OnnxEngine;
import dev.modelyard.wire.CpuFeatures;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.DeviceFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this device is: CPU architecture and features, accelerators ONNX Runtime can use, the
 * runtimes it has and their versions, memory, free disk. Reported to the server (so it picks the
 * right artifact) and used by the verifier (so a release for another target is refused). Nothing
 * here loads a runtime's natives.
 */
public final class DeviceProbe {

    private DeviceProbe() {
    }

    /** The architecture in the names target descriptors use. */
    public static String arch() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "arm", "armv7l", "armhf" -> "armv7";
            case "riscv64" -> "riscv64";
            default -> a;
        };
    }

    /**
     * Accelerators by target-descriptor name: always cpu, plus what the ONNX Runtime package has
     * providers for when the device enables ONNX Runtime (a provider of a runtime turned off
     * would attract artifacts nothing here can run).
     */
    public static List<String> accelerators(Engines engines) {
        Set<String> out = new TreeSet<>();
        if (engines.all().stream().anyMatch(e -> OnnxEngine.RUNTIME.equals(e.runtime()))) out.addAll(OnnxEngine.accelerators());
        out.add("cpu");
        return List.copyOf(out);
    }

    public static long memoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall back to what the JVM can see
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    /**
     * The CPU features of {@link CpuFeatures#KNOWN} this device has, canonical and sorted, with its
     * vector-width token ({@link CpuFeatures#vectorWidth}): files whose kernels are laid out for a
     * vector width reach only devices that report the same one.
     */
    public static List<String> cpuFeatures() {
        try {
            return List.copyOf(cpuFeatures(arch(), Files.readAllLines(Path.of("/proc/cpuinfo"))));
        } catch (IOException ignored) {
            // no /proc: report none
            return List.of();
        }
    }

    /**
     * The features named by the first {@code flags} (x86) or {@code Features} (ARM) line of a
     * {@code /proc/cpuinfo}: every core of a device is assumed to have what the first has.
     */
    public static Set<String> cpuFeatures(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).strip();
            if (key.equals("flags") || key.equals("Features")) return CpuFeatures.parse(line.substring(colon + 1));
        }
        return Set.of();
    }

    /** The features of {@link #cpuFeatures(List)} and the vector-width token of a CPU of {@code arch}. */
    public static Set<String> cpuFeatures(String arch, List<String> cpuinfo) {
        Set<String> features = new TreeSet<>(cpuFeatures(cpuinfo));
        String width = CpuFeatures.vectorWidth(arch, features);
        if (width != null) features.add(width);
        return java.util.Collections.unmodifiableSet(features);
    }

    public static String os() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("windows") ? "windows" : os;
    }

    /** The device as the verifier checks targets against it: every enabled runtime and the CPU features. */
    public static DeviceFacts facts(Engines engines) {
        return new DeviceFacts(arch(), accelerators(engines), engines.versions(), Set.copyOf(cpuFeatures()), memoryMb(), os());
    }

    /**
     * The zone of the system clock as an IANA name (maintenance windows are read in it); none when
     * the system knows only an offset, which says nothing about DST.
     */
    static java.util.Optional<String> timezone() {
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();
        return zone instanceof java.time.ZoneOffset ? java.util.Optional.empty() : java.util.Optional.of(zone.getId());
    }

    /** The attributes reported to the server through DDI configData. */
    public static Map<String, String> attributes(Path dataDir, Engines engines) {
        Map<String, String> a = new LinkedHashMap<>();
        // First: it tells the server to add the signed metadata and self-tests to each chunk.
        a.put(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL);
        a.put(DeviceAttributes.ARCH, arch());
        a.put(DeviceAttributes.OS, os());
        // Servers recognise updaters older than the announcement by these three keys
        // (DeviceAttributes.LEGACY_UPDATER_KEYS): keep reporting them.
        a.put(DeviceAttributes.CPU_FEATURES, String.join(",", cpuFeatures()));
        a.put(DeviceAttributes.CPU_CORES, Integer.toString(Runtime.getRuntime().availableProcessors()));
        a.put(DeviceAttributes.ACCELERATORS, String.join(",", accelerators(engines)));
        // runtime.onnxruntime among them (unless the device turned ONNX Runtime off).
        engines.versions().forEach((runtime, version) -> a.put(DeviceAttributes.RUNTIME_PREFIX + runtime, version));
        a.put(DeviceAttributes.MEMORY_MB, Long.toString(memoryMb()));
        timezone().ifPresent(z -> a.put(DeviceAttributes.TIMEZONE, z));
        try {
            a.put(DeviceAttributes.DISK_FREE_MB, Long.toString(Files.getFileStore(Files.createDirectories(dataDir)).getUsableSpace() / (1024 * 1024)));
        } catch (IOException ignored) {
            // reported without free disk
        }
        return a;
    }
}
