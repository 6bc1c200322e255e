package dev.modelyard.cli;

import dev.modelyard.wire.TargetDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * An artifact's target for {@code push} and {@code pull}: the single options
 * ({@code --arch aarch64}) or the short form {@code --target arch=aarch64,precision=int8}; a key
 * in {@code --target} wins over its single option.
 */
final class TargetSpec {

    static final List<String> KEYS = List.of("format", "runtime", "runtime-version", "arch", "accelerator", "precision",
            "min-memory-mb", "os", "cpu-features");

    @Mixin
    TargetOptions single;

    @Option(names = "--target", paramLabel = "KEY=VALUE", split = ",",
            description = "Target fields in short: format, runtime, runtime-version, arch, accelerator, precision, "
                    + "min-memory-mb, os, cpu-features (features joined with +, e.g. cpu-features=avx2+fma).")
    Map<String, String> target;

    TargetDescriptor get() throws CliException {
        TargetDescriptor base = single == null ? new TargetDescriptor(null, null, null, null, null, null, null, null) : single.get();
        if (target == null || target.isEmpty()) return base;
        for (String k : target.keySet()) {
            if (!KEYS.contains(k.toLowerCase(Locale.ROOT))) {
                throw new CliException("--target: unknown key '" + k + "'; use " + String.join(", ", KEYS));
            }
        }
        String mem = pick("min-memory-mb", null);
        Integer minMemory;
        try {
            minMemory = mem == null ? base.minMemoryMb() : Integer.valueOf(mem);
        } catch (NumberFormatException e) {
            throw new CliException("--target: min-memory-mb must be a whole number, not '" + mem + "'");
        }
        String features = pick("cpu-features", null);
        List<String> cpu = features == null ? base.cpuFeatures() : new ArrayList<>(Arrays.asList(features.split("\\+")));
        return new TargetDescriptor(pick("format", base.format()), pick("runtime", base.runtime()),
                pick("runtime-version", base.runtimeVersion()), pick("arch", base.arch()), pick("accelerator", base.accelerator()),
                pick("precision", base.precision()), minMemory, pick("os", base.os()), cpu);
    }

    private String pick(String key, String fallback) {
        for (Map.Entry<String, String> e : target.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) return e.getValue().strip();
        }
        return fallback;
    }
}
