package dev.modelyard.server.conversion;

import dev.modelyard.server.deployment.ArtifactChooser;
import dev.modelyard.wire.CpuFeatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CPU of the machine that runs conversions. A converter that is not portable (ONNX Runtime at
 * level extended or all lays out fused kernels for this CPU's vector width) makes a file for this
 * machine's architecture and features, so the result's target must name them, with the
 * vector-width token of {@link #vectorWidth()}.
 *
 * @param arch     the architecture as target descriptors name it
 * @param features the {@link CpuFeatures} this CPU has; empty where the system does not say
 */
public record ConvertingMachine(String arch, Set<String> features) {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile ConvertingMachine local;

    public ConvertingMachine {
        features = Set.copyOf(features);
    }

    /**
     * This CPU's vector-width token ({@link CpuFeatures#vectorWidth}): every file a non-portable
     * step makes here needs it, so only devices of the same width get the file.
     */
    public String vectorWidth() {
        return CpuFeatures.vectorWidth(arch, features);
    }

    /** This machine, probed once: the JVM's architecture and the feature lines of {@code /proc/cpuinfo}. */
    public static ConvertingMachine local() {
        ConvertingMachine m = local;
        if (m == null) {
            m = new ConvertingMachine(ArtifactChooser.Device.arch(System.getProperty("os.arch")), features(CPUINFO));
            local = m;
        }
        return m;
    }

    /**
     * The features of the first processor listed: x86 kernels name them on a {@code flags} line,
     * ARM kernels on a {@code Features} line. Every processor of a machine normally reports the
     * same; on a machine whose cores differ, the first one's list is what the file may need.
     */
    static Set<String> features(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | SecurityException e) {
            // No /proc (another system, a sandbox): the result then names its architecture only.
            return Set.of();
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (key.equals("flags") || key.equals("features")) return CpuFeatures.parse(line.substring(colon + 1));
        }
        return Set.of();
    }
}
