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
     * dot-product, half-precision and matrix extensions; and the vector-width tokens
     * ({@link #VECTOR_WIDTHS}), which no kernel reports but a device's updater adds.
     */
    public static final Set<String> KNOWN = Set.of(
            "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",
            "neon", "dotprod", "fp16", "i8mm", "bf16", "sve", "sve2",
            "vec128", "vec256", "vec512");

    /** The widest vector register inference kernels use: see {@link #vectorWidth(String, Collection)}. */
    public static final String VEC128 = "vec128";
    public static final String VEC256 = "vec256";
    public static final String VEC512 = "vec512";
    /** Exactly one of these describes a CPU: unlike a feature, a wider width does not satisfy a narrower one. */
    public static final Set<String> VECTOR_WIDTHS = Set.of(VEC128, VEC256, VEC512);

    /**
     * What each feature implies (directly; {@link #closure(Collection)} follows the chains). A CPU
     * with AVX-512F has AVX2, FMA and F16C, and so on down to SSE4.1; the ARM extensions all build
     * on NEON (and SVE2 on SVE). Used to rank how specific a file is: an {@code [avx512f]} file is
     * narrower than one listing six AVX2-era features.
     */
    private static final Map<String, Set<String>> IMPLIES = Map.ofEntries(
            Map.entry("sse4_2", Set.of("sse4_1")),
            Map.entry("avx", Set.of("sse4_2")),
            Map.entry("avx2", Set.of("avx")),
            Map.entry("fma", Set.of("avx")),
            Map.entry("f16c", Set.of("avx")),
            Map.entry("avx_vnni", Set.of("avx2")),
            Map.entry("avx512f", Set.of("avx2", "fma", "f16c")),
            Map.entry("avx512bw", Set.of("avx512f")),
            Map.entry("avx512vl", Set.of("avx512f")),
            Map.entry("avx512dq", Set.of("avx512f")),
            Map.entry("avx512_vnni", Set.of("avx512f")),
            Map.entry("avx512_bf16", Set.of("avx512f")),
            Map.entry("avx512_fp16", Set.of("avx512f")),
            Map.entry("amx_int8", Set.of("amx_tile")),
            Map.entry("amx_bf16", Set.of("amx_tile")),
            Map.entry("dotprod", Set.of("neon")),
            Map.entry("fp16", Set.of("neon")),
            Map.entry("i8mm", Set.of("neon")),
            Map.entry("bf16", Set.of("neon")),
            Map.entry("sve", Set.of("neon")),
            Map.entry("sve2", Set.of("sve")));

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

    /** The features named and every feature they imply ({@link #IMPLIES}), sorted. */
    public static Set<String> closure(Collection<String> features) {
        Set<String> all = new TreeSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(features);
        while (!todo.isEmpty()) {
            String f = todo.pop();
            if (all.add(f)) todo.addAll(IMPLIES.getOrDefault(f, Set.of()));
        }
        return all;
    }

    /**
     * The one vector-width token of a CPU, or null when no rule names one (another architecture,
     * an ARM CPU without NEON). ONNX Runtime's optimizer at level extended or all (its NCHWc
     * transformer) lays Conv weights out in blocks as wide as the converting CPU's vectors, and
     * the runtime that loads the file reads them with its own block size: a file made with
     * 256-bit blocks computes wrong results on a 512-bit CPU, and the reverse. Features alone
     * cannot express that (an AVX-512 CPU has every AVX2 feature), so each CPU reports exactly one
     * of these tokens and a file made by such a step needs the converting CPU's.
     * <ul>
     * <li>x86_64: {@code vec512} with AVX-512F, else {@code vec256} with AVX or AVX2, else {@code vec128};</li>
     * <li>aarch64 and armv7 with NEON: {@code vec128}.</li>
     * </ul>
     */
    public static String vectorWidth(String arch, Collection<String> features) {
        if (arch == null) return null;
        return switch (arch) {
            case "x86_64" -> features.contains("avx512f") ? VEC512
                    : features.contains("avx") || features.contains("avx2") ? VEC256 : VEC128;
            case "aarch64", "armv7" -> features.contains("neon") ? VEC128 : null;
            default -> null;
        };
    }

    /** The required features {@code have} lacks, sorted; empty when it has them all. */
    public static Set<String> missing(Collection<String> required, Collection<String> have) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(have);
        return missing;
    }
}
