package dev.modelyard.device.config;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.DeviceFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this device is: CPU architecture and features, accelerators ONNX Runtime can use, runtime
 * version, memory, free disk. Reported to the server (so it picks the right artifact) and used by
 * the verifier (so a release for another target is refused).
 */
public final class DeviceProbe {

    private static final Set<String> INTERESTING_CPU_FLAGS = Set.of("avx", "avx2", "avx512f", "avx512_vnni", "avx512vnni",
            "fma", "f16c", "sse4_2", "neon", "asimd", "asimddp", "fphp", "asimdhp", "sve", "i8mm", "bf16", "sha_ni");

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

    /** Accelerators by target-descriptor name: always cpu, plus what ONNX Runtime has providers for. */
    public static List<String> accelerators() {
        Set<String> out = new TreeSet<>();
        out.add("cpu");
        for (OrtProvider p : OrtEnvironment.getAvailableProviders()) {
            switch (p) {
                case CUDA -> out.add("cuda");
                case TENSOR_RT -> out.add("tensorrt");
                case ROCM -> out.add("rocm");
                case OPEN_VINO -> out.add("openvino");
                case NNAPI -> out.add("nnapi");
                case CORE_ML -> out.add("coreml");
                case QNN -> out.add("qnn");
                default -> { }
            }
        }
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

    public static List<String> cpuFeatures() {
        Set<String> found = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    for (String f : line.substring(line.indexOf(':') + 1).strip().split("\\s+")) {
                        if (INTERESTING_CPU_FLAGS.contains(f)) found.add(f);
                    }
                    break;
                }
            }
        } catch (IOException ignored) {
            // no /proc: report none
        }
        return new ArrayList<>(found);
    }

    public static String os() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("windows") ? "windows" : os;
    }

    public static DeviceFacts facts() {
        return new DeviceFacts(arch(), accelerators(), "onnxruntime", OrtEnvironment.getEnvironment().getVersion(), memoryMb(), os());
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
    public static Map<String, String> attributes(Path dataDir) {
        Map<String, String> a = new LinkedHashMap<>();
        // First: it tells the server to add the signed metadata and self-tests to each chunk.
        a.put(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL);
        a.put(DeviceAttributes.ARCH, arch());
        a.put(DeviceAttributes.OS, os());
        // Servers recognise updaters older than the announcement by these three keys
        // (DeviceAttributes.LEGACY_UPDATER_KEYS): keep reporting them.
        a.put(DeviceAttributes.CPU_FEATURES, String.join(",", cpuFeatures()));
        a.put(DeviceAttributes.CPU_CORES, Integer.toString(Runtime.getRuntime().availableProcessors()));
        a.put(DeviceAttributes.ACCELERATORS, String.join(",", accelerators()));
        a.put(DeviceAttributes.RUNTIME_ONNXRUNTIME, OrtEnvironment.getEnvironment().getVersion());
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
