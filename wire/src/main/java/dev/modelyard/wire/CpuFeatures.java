package dev.modelyard.wire;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names of CPU features an artifact can need and a device reports, one vocabulary for both
 * sides. Linux names a feature differently per architecture ({@code /proc/cpuinfo} says
 * {@code asimd} on aarch64 where ARM's documentation says NEON): {@link #canonical(String)} maps
 * the kernel's aliases to the names used in target descriptors, so a profile says {@code neon} and
 * an aarch64 device reporting {@code asimd} satisfies it. Devices report only names in
 * {@link #KNOWN}, so targets given by users may name only those too
 * ({@link TargetDescriptor#of(String, String, String, String, String, String, Integer, String, List)});
 * a name outside it in signed metadata (a newer server's vocabulary) fits no device.
 */
public final class CpuFeatures {

    /**
     * Features inference code is compiled for: x86 vector and dot-product extensions, ARM SIMD,
     * dot-product, half-precision and matrix extensions.
     */
    public static final Set<String> KNOWN = Set.of(
            "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",
            "neon", "dotprod", "fp16", "i8mm", "bf16", "sve", "sve2");

    /** Kernel spellings (x86 {@code flags}, ARM {@code Features}) → the names above. */
    private static final Map<String, String> ALIASES = Map.of(
            "asimd", "neon",
            "asimddp", "dotprod",
            "asimdhp", "fp16",
            "fphp", "fp16",
            "avx512vnni", "avx512_vnni",
            "avxvnni", "avx_vnni",
            "sse4.1", "sse4_1",
            "sse4.2", "sse4_2");

    private CpuFeatures() {
    }

    /** The descriptor name of a feature as a user or a kernel spells it. */
    public static String canonical(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(n, n);
    }

    /**
     * The known features in a {@code /proc/cpuinfo} flags or Features line's value (or any list of
     * names separated by spaces or commas), canonical and sorted.
     */
    public static Set<String> parse(String list) {
        Set<String> found = new TreeSet<>();
        if (list == null) return found;
        for (String f : list.split("[,\\s]+")) {
            if (f.isBlank()) continue;
            String c = canonical(f);
            if (KNOWN.contains(c)) found.add(c);
        }
        return found;
    }

    /** The required features {@code have} lacks, sorted; empty when it has them all. */
    public static Set<String> missing(Collection<String> required, Collection<String> have) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(have);
        return missing;
    }
}
