package dev.modelyard.server.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.TargetDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The artifact choice, as a table: artifacts × device attributes → chosen file or reason. */
class ArtifactChooserTest {

    /**
     * name:arch:accelerator:precision:size[:runtimeVersion[:minMemoryMb[:os[:cpuFeatures[:opt]]]]];
     * the format is the name's extension, and the runtime its default (onnxruntime for onnx, none
     * for payloads such as raucb); cpuFeatures are joined by '+'; "opt" marks a file an optimizing
     * conversion made.
     */
    static ArtifactChooser.Candidate a(String spec) {
        String[] p = spec.split(":");
        String rv = p.length > 5 && !p[5].isEmpty() ? p[5] : null;
        Integer mem = p.length > 6 && !p[6].isEmpty() ? Integer.valueOf(p[6]) : null;
        String os = p.length > 7 && !p[7].isEmpty() ? p[7] : null;
        List<String> features = p.length > 8 && !p[8].isEmpty() ? List.of(p[8].split("\\+")) : List.of();
        boolean optimized = p.length > 9 && p[9].equals("opt");
        return new ArtifactChooser.Candidate(UUID.nameUUIDFromBytes(p[0].getBytes()), p[0], Long.parseLong(p[4]),
                TargetDescriptor.of(p[0].substring(p[0].lastIndexOf('.') + 1), null, rv, p[1], p[2], p[3], mem, os, features),
                optimized);
    }

    /** k=v,k=v (';' separates list values inside a value) */
    static Map<String, String> attrs(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (spec.isEmpty()) return m;
        for (String kv : spec.split(",")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1].replace(';', ','));
        }
        return m;
    }

    static final String X86 = "arch=x86_64,runtime.onnxruntime=1.20.0,memory.mb=4096,os=linux";
    /** Features reach the choice only from updaters of protocol 2 on (older ones refuse metadata naming them). */
    static final String UPDATER = ",modelyard.updater=2";
    static final String AVX2_FLAGS = "fpu sse4_2 avx avx2 fma f16c";
    /**
     * An AVX2 machine without AVX-512, reporting its features as /proc/cpuinfo spells them, and
     * its one vector-width token as the updater adds it.
     */
    static final String AVX2 = X86 + UPDATER + ",cpu.features=" + AVX2_FLAGS + " vec256";
    static final String AVX512 = X86 + UPDATER + ",cpu.features=" + AVX2_FLAGS + " avx512f avx512bw avx512vl avx512dq avx512vnni vec512";
    static final String ARM = "arch=aarch64,runtime.onnxruntime=1.20.0" + UPDATER + ",cpu.features=fp asimd asimddp fphp asimdhp vec128";

    static Stream<Arguments> table() {
        return Stream.of(
                // artifacts, device attributes, lowPrecision, expected file, or "!" + words the reason must contain
                Arguments.of(List.of("any.onnx:any:cpu:fp32:100"), X86, false, "any.onnx"),
                Arguments.of(List.of("arm.onnx:aarch64:cpu:fp32:100", "x86.onnx:x86_64:cpu:fp32:100"), X86, false, "x86.onnx"),
                Arguments.of(List.of("arm.onnx:aarch64:cpu:fp32:100"), X86, false, "!arm.onnx needs arch aarch64 (device is x86_64)"),
                // accelerator over cpu, but only when the device has it
                Arguments.of(List.of("cpu.onnx:x86_64:cpu:fp32:100", "cuda.onnx:x86_64:cuda:fp32:900"),
                        X86 + ",accelerators=cuda", false, "cuda.onnx"),
                Arguments.of(List.of("cpu.onnx:x86_64:cpu:fp32:100", "cuda.onnx:x86_64:cuda:fp32:900"), X86, false, "cpu.onnx"),
                Arguments.of(List.of("npu.onnx:any:npu:int8:100"), X86 + ",accelerators=cuda;gpu", false,
                        "!accelerator npu (device has cuda, gpu, cpu)"),
                // precision: lower when allowed, higher otherwise; then smaller size
                Arguments.of(List.of("fp32.onnx:any:cpu:fp32:400", "int8.onnx:any:cpu:int8:100", "fp16.onnx:any:cpu:fp16:200"),
                        X86, true, "int8.onnx"),
                Arguments.of(List.of("fp32.onnx:any:cpu:fp32:400", "int8.onnx:any:cpu:int8:100", "fp16.onnx:any:cpu:fp16:200"),
                        X86, false, "fp32.onnx"),
                Arguments.of(List.of("big.onnx:any:cpu:fp32:400", "small.onnx:x86_64:cpu:fp32:100"), X86, false, "small.onnx"),
                // accelerator beats precision
                Arguments.of(List.of("cpu-int8.onnx:any:cpu:int8:100", "cuda-fp16.onnx:any:cuda:fp16:300"),
                        X86 + ",accelerators=cuda", true, "cuda-fp16.onnx"),
                // runtime version range
                Arguments.of(List.of("new.onnx:any:cpu:fp32:100:>=1.21"), X86, false, "!onnxruntime >=1.21 (device has 1.20.0)"),
                Arguments.of(List.of("new.onnx:any:cpu:fp32:100:>=1.21", "old.onnx:any:cpu:fp32:200:>=1.17,<1.21"), X86, false, "old.onnx"),
                Arguments.of(List.of("any.onnx:any:cpu:fp32:100"), "arch=x86_64", false,
                        "!runtime onnxruntime (device reported no runtime: 'runtime.onnxruntime')"),
                // memory, disk, os
                Arguments.of(List.of("huge.onnx:any:cpu:fp32:100::8192"), X86, false, "!memory 8192 MB (device has 4096 MB)"),
                Arguments.of(List.of("huge.onnx:any:cpu:fp32:100::8192"), "arch=x86_64,runtime.onnxruntime=1.20.0", false,
                        "!memory 8192 MB (device did not report 'memory.mb')"),
                Arguments.of(List.of("fits.onnx:any:cpu:fp32:100::2048"), X86, false, "fits.onnx"),
                Arguments.of(List.of("big.onnx:any:cpu:fp32:" + (3L << 20)), X86 + ",disk.free.mb=2", false,
                        "!disk space 3 MB (device has 2 MB free)"),
                Arguments.of(List.of("android.onnx:any:cpu:fp32:100:::android"), X86, false, "!os android (device is linux)"),
                Arguments.of(List.of("linux.onnx:any:cpu:fp32:100:::linux"), X86, false, "linux.onnx"),
                // nothing reported at all: the reason names every missing fact
                Arguments.of(List.of("x86.onnx:x86_64:cpu:fp32:100"), "", false,
                        "!arch x86_64 (device did not report 'arch')"),
                // uname spellings of architectures are understood
                Arguments.of(List.of("arm.onnx:aarch64:cpu:fp32:100"), "arch=arm64,runtime.onnxruntime=1.18", false, "arm.onnx"),
                // update payloads (runtime none) fit a stock client that reports no runtime, or nothing at all
                Arguments.of(List.of("bundle.raucb:any:cpu:fp32:100"), "", false, "bundle.raucb"),
                Arguments.of(List.of("image.swu:any:cpu:fp32:100"), "product=T-1000,hw_revision=2", false, "image.swu"),
                Arguments.of(List.of("firmware.bin:any:cpu:fp32:100"), X86, false, "firmware.bin"),
                Arguments.of(List.of("rootfs.tar:any:cpu:fp32:100"), "runtime.raucb=1.0", false, "rootfs.tar"),
                // ... but their other requirements still hold
                Arguments.of(List.of("image.swu:aarch64:cpu:fp32:100"), "", false, "!image.swu needs arch aarch64 (device did not report 'arch')"),
                Arguments.of(List.of("image.swu:aarch64:cpu:fp32:100"), "arch=armv7", false, "!image.swu needs arch aarch64 (device is armv7)"),
                Arguments.of(List.of("image.swu:any:cpu:fp32:" + (3L << 20)), "disk.free.mb=2", false, "!disk space 3 MB (device has 2 MB free)"),
                // a model still needs its runtime, even next to a payload; a device with the runtime prefers the smaller fitting file
                Arguments.of(List.of("m.onnx:any:cpu:fp32:100", "fw.bin:any:cpu:fp32:900"), "arch=x86_64", false, "fw.bin"),
                Arguments.of(List.of("m.onnx:any:cpu:fp32:100", "fw.bin:any:cpu:fp32:900"), X86, false, "m.onnx"),
                // an ORT-optimized fp32 file wins over its source though it is 0.04 % or 30 % larger (issue #18); a
                // version holds both for one target (optimized is part of artifact_target_uq), as a portable
                // ort-optimize profile of the source's target makes it
                Arguments.of(List.of("model.onnx:any:cpu:fp32:10000", "model-opt.onnx:any:cpu:fp32:10004:::::opt"), X86, false, "model-opt.onnx"),
                Arguments.of(List.of("model.onnx:any:cpu:fp32:10000", "model.ort:any:cpu:fp32:13000:::::opt"), X86, false, "model.ort"),
                // ... but precision comes first: the deployment's policy outranks optimization
                Arguments.of(List.of("model-opt.onnx:any:cpu:fp32:100:::::opt", "model-int8.onnx:any:cpu:int8:300"), X86, true, "model-int8.onnx"),
                Arguments.of(List.of("model-opt.onnx:any:cpu:fp32:100:::::opt", "model-int8.onnx:any:cpu:int8:300:::::opt"), X86, false, "model-opt.onnx"),
                // a concrete architecture beats 'any' whatever the sizes (issue #18)
                Arguments.of(List.of("any.onnx:any:cpu:fp32:100", "x86.onnx:x86_64:cpu:fp32:200"), X86, false, "x86.onnx"),
                // specificity outranks optimization: the file built for this hardware wins
                Arguments.of(List.of("x86.onnx:x86_64:cpu:fp32:200", "any-opt.onnx:any:cpu:fp32:100:::::opt"), X86, false, "x86.onnx"),
                // lowPrecision still wins over specificity, and without it higher precision does
                Arguments.of(List.of("x86.onnx:x86_64:cpu:fp32:100::::avx2", "any-int8.onnx:any:cpu:int8:500"), AVX2, true, "any-int8.onnx"),
                Arguments.of(List.of("x86-int8.onnx:x86_64:cpu:int8:100::::avx2", "any.onnx:any:cpu:fp32:500"), AVX2, false, "any.onnx"),
                // CPU features: an AVX-512 file never goes to an AVX2-only device (issue #18) ...
                Arguments.of(List.of("avx512.onnx:x86_64:cpu:fp32:100::::avx512f+avx2:opt", "any.onnx:any:cpu:fp32:200"), AVX2, false, "any.onnx"),
                Arguments.of(List.of("avx512.onnx:x86_64:cpu:fp32:100::::avx512f+avx2"), AVX2, false,
                        "!avx512.onnx needs cpu features avx512f (device has avx, avx2, f16c, fma, sse4_2, vec256)"),
                // ... nor to one that reported no features at all
                Arguments.of(List.of("avx2.onnx:x86_64:cpu:fp32:100::::avx2"), X86, false,
                        "!avx2.onnx needs cpu features avx2 (device did not report 'cpu.features'"),
                // an updater before protocol 2 (or none announced) reports features but refuses
                // metadata naming them: it gets the generic file, as if it had reported none
                Arguments.of(List.of("avx2.onnx:x86_64:cpu:fp32:100::::avx2", "any.onnx:any:cpu:fp32:200"),
                        AVX2.replace(UPDATER, ",modelyard.updater=1"), false, "any.onnx"),
                Arguments.of(List.of("avx2.onnx:x86_64:cpu:fp32:100::::avx2", "any.onnx:any:cpu:fp32:200"),
                        AVX2.replace(UPDATER, ""), false, "any.onnx"),
                Arguments.of(List.of("avx2.onnx:x86_64:cpu:fp32:100::::avx2"), AVX2.replace(UPDATER, ",modelyard.updater=1"), false,
                        "!avx2.onnx needs cpu features avx2 (device did not report 'cpu.features', or its updater predates protocol 2)"),
                // ... and goes to a device that has them, before the generic x86 and 'any' files
                Arguments.of(List.of("avx512.onnx:x86_64:cpu:fp32:300::::avx512f+avx2", "x86.onnx:x86_64:cpu:fp32:100",
                        "any.onnx:any:cpu:fp32:100"), AVX512, false, "avx512.onnx"),
                // vector width is exact (ONNX Runtime's NCHWc blocks): a file made on an AVX2
                // server never goes to an AVX-512 device, though that device has every AVX2 feature ...
                Arguments.of(List.of("avx2-made.onnx:x86_64:cpu:fp32:100::::avx2+fma+f16c+vec256:opt", "any.onnx:any:cpu:fp32:200"),
                        AVX512, false, "any.onnx"),
                Arguments.of(List.of("avx2-made.onnx:x86_64:cpu:fp32:100::::avx2+fma+vec256:opt"), AVX512, false,
                        "!avx2-made.onnx needs cpu features vec256 (device has "),
                // ... nor the reverse, even when the profile named only AVX2 features
                Arguments.of(List.of("avx512-made.onnx:x86_64:cpu:fp32:100::::avx2+vec512:opt", "any.onnx:any:cpu:fp32:200"),
                        AVX2, false, "any.onnx"),
                Arguments.of(List.of("avx512-made.onnx:x86_64:cpu:fp32:100::::avx2+vec512:opt"), AVX2, false,
                        "!avx512-made.onnx needs cpu features vec512 (device has "),
                // ... and each goes to a device of its own width, before the generic files
                Arguments.of(List.of("avx2-made.onnx:x86_64:cpu:fp32:300::::avx2+vec256:opt", "any.onnx:any:cpu:fp32:200",
                        "avx512-made.onnx:x86_64:cpu:fp32:300::::avx512f+vec512:opt"), AVX2, false, "avx2-made.onnx"),
                Arguments.of(List.of("avx2-made.onnx:x86_64:cpu:fp32:300::::avx2+vec256:opt", "any.onnx:any:cpu:fp32:200",
                        "avx512-made.onnx:x86_64:cpu:fp32:300::::avx512f+vec512:opt"), AVX512, false, "avx512-made.onnx"),
                // full 8-bit int8 weights need VNNI on x86 (ChainSpec): never sent to an x86 CPU without it ...
                Arguments.of(List.of("vnni-int8.onnx:x86_64:cpu:int8:100::::avx512_vnni:opt", "any-int8.onnx:any:cpu:int8:200:::::opt"),
                        AVX2, true, "any-int8.onnx"),
                Arguments.of(List.of("vnni-int8.onnx:x86_64:cpu:int8:100::::avx512_vnni:opt"), AVX2, true,
                        "!vnni-int8.onnx needs cpu features avx512_vnni (device has "),
                // ... and to one that has it, before the 7-bit file for any CPU
                Arguments.of(List.of("vnni-int8.onnx:x86_64:cpu:int8:100::::avx512_vnni:opt", "any-int8.onnx:any:cpu:int8:200:::::opt"),
                        AVX512, true, "vnni-int8.onnx"),
                // specificity counts what the features imply: avx512f implies avx2, fma, f16c, avx,
                // sse4_2 and sse4_1, so it is narrower than five AVX2-era features listed one by one
                Arguments.of(List.of("avx2-five.onnx:x86_64:cpu:fp32:100::::sse4_2+avx+avx2+fma+f16c", "avx512.onnx:x86_64:cpu:fp32:200::::avx512f"),
                        AVX512, false, "avx512.onnx"),
                // ... while features a listed one implies add nothing: [avx2, avx] is as narrow as [avx2]
                Arguments.of(List.of("b-avx2.onnx:x86_64:cpu:fp32:100::::avx2+avx", "a-avx2.onnx:x86_64:cpu:fp32:100::::avx2"),
                        AVX2, false, "a-avx2.onnx"),
                // dotprod implies neon: [dotprod] ties with [neon, dotprod], and beats [neon]
                Arguments.of(List.of("neon.onnx:aarch64:cpu:int8:100::::neon", "dot.onnx:aarch64:cpu:int8:200::::dotprod"), ARM, true, "dot.onnx"),
                // more required features (all present) is more specific
                Arguments.of(List.of("avx2.onnx:x86_64:cpu:fp32:100::::avx2", "avx2-fma.onnx:x86_64:cpu:fp32:200::::avx2+fma"),
                        AVX2, false, "avx2-fma.onnx"),
                // kernel spellings count: an aarch64 device reporting asimd/asimddp has neon and dotprod
                Arguments.of(List.of("neon.onnx:aarch64:cpu:int8:100::::neon+dotprod", "any.onnx:any:cpu:int8:50"), ARM, true, "neon.onnx"),
                Arguments.of(List.of("i8mm.onnx:aarch64:cpu:int8:100::::neon+i8mm"), ARM, true,
                        "!i8mm.onnx needs cpu features i8mm (device has dotprod, fp16, neon, vec128)"),
                // on another architecture the arch is the miss, not the features
                Arguments.of(List.of("neon.onnx:aarch64:cpu:fp32:100::::neon"), AVX2, false, "!neon.onnx needs arch aarch64 (device is x86_64)"),
                // an accelerator still comes first
                Arguments.of(List.of("avx512.onnx:x86_64:cpu:fp32:100::::avx512f", "cuda.onnx:any:cuda:fp32:900"),
                        AVX512 + ",accelerators=cuda", false, "cuda.onnx"),
                // a runtime version range over none, then a named OS over none
                Arguments.of(List.of("plain.onnx:any:cpu:fp32:100", "ranged.onnx:any:cpu:fp32:200:>=1.17"), X86, false, "ranged.onnx"),
                Arguments.of(List.of("plain.onnx:any:cpu:fp32:100", "linux.onnx:any:cpu:fp32:200:::linux"), X86, false, "linux.onnx"),
                Arguments.of(List.of("linux.onnx:any:cpu:fp32:100:::linux", "ranged.onnx:any:cpu:fp32:200:>=1.17"), X86, false, "ranged.onnx"),
                // features outrank a runtime range; arch outranks both
                Arguments.of(List.of("ranged.onnx:x86_64:cpu:fp32:100:>=1.17", "avx2.onnx:x86_64:cpu:fp32:200::::avx2"), AVX2, false, "avx2.onnx"),
                Arguments.of(List.of("ranged.onnx:any:cpu:fp32:100:>=1.17:::", "x86.onnx:x86_64:cpu:fp32:200"), X86, false, "x86.onnx"),
                // with everything else equal, the name decides, whatever the order of the list
                Arguments.of(List.of("b.onnx:any:cpu:fp32:100", "a.onnx:any:cpu:fp32:100"), X86, false, "a.onnx"),
                // no artifacts
                Arguments.of(List.of(), X86, false, "!the version has no artifacts"));
    }

    @ParameterizedTest(name = "[{index}] {0} on {1} (low={2}) -> {3}")
    @MethodSource("table")
    void chooses(List<String> artifacts, String device, boolean low, String expected) {
        List<ArtifactChooser.Candidate> candidates = new ArrayList<>(artifacts.stream().map(ArtifactChooserTest::a).toList());
        ArtifactChooser.Choice choice = ArtifactChooser.choose(candidates, ArtifactChooser.Device.fromAttributes(attrs(device)), low);
        if (expected.startsWith("!")) {
            assertTrue(choice.chosen().isEmpty(), "expected no choice, got " + choice.chosen());
            assertTrue(choice.reason().contains(expected.substring(1)), "reason was: " + choice.reason());
        } else {
            assertEquals(expected, choice.chosen().map(ArtifactChooser.Candidate::filename).orElse("(none: " + choice.reason() + ")"));
        }
    }
}
