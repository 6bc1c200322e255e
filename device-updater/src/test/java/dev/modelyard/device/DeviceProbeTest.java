package dev.modelyard.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.config.DeviceProbe;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.DeviceFacts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProbeTest {

    @Test
    void reportsOnnxRuntimesProvidersOnlyWhenOnnxRuntimeIsEnabled() {
        java.util.Set<String> withOnnx = new java.util.TreeSet<>(dev.modelyard.device.runtime.onnx.OnnxEngine.accelerators());
        withOnnx.add("cpu");
        assertEquals(List.copyOf(withOnnx), DeviceProbe.accelerators(TestEngines.all()));
        assertEquals(List.of("cpu"), DeviceProbe.accelerators(dev.modelyard.device.runtime.Engines.of(TestEngines.tflite())));
    }

    @Test
    void describesThisMachineInTargetDescriptorTerms(@TempDir Path dir) {
        DeviceFacts facts = DeviceProbe.facts(TestEngines.all());
        assertTrue(TargetDescriptor.ARCHES.contains(facts.arch()), facts.arch());
        assertTrue(facts.accelerators().contains("cpu"));
        assertTrue(facts.memoryMb() > 0);
        // A portable fp32 ONNX artifact for ONNX Runtime >= 1.17 must suit any machine the tests run on.
        assertEquals(List.of(), facts.unmetRequirements(TargetDescriptor.of("onnx", null, ">=1.17", null, null, null, null, null)));
        Map<String, String> attributes = DeviceProbe.attributes(dir, TestEngines.all());
        assertEquals(facts.arch(), attributes.get("arch"));
        assertTrue(Long.parseLong(attributes.get("disk.free.mb")) > 0);
        assertTrue(attributes.get("runtime.onnxruntime").matches("\\d+\\.\\d+\\.\\d+"));
        // Every enabled runtime, and the facts the verifier checks targets against hold the same.
        assertEquals(attributes.get("runtime.tflite"), facts.runtimes().get("tflite"));
        assertEquals(attributes.get("runtime.onnxruntime"), facts.runtimes().get("onnxruntime"));
        assertEquals(String.join(",", new java.util.TreeSet<>(facts.cpuFeatures())), attributes.get("cpu.features"));
        // Both ways a server recognises Modelyard's updater: the announcement, and the keys every
        // updater version has reported (what servers go by for updaters older than the announcement).
        assertEquals(DeviceAttributes.UPDATER_PROTOCOL, attributes.get(DeviceAttributes.UPDATER));
        assertTrue(attributes.keySet().containsAll(DeviceAttributes.LEGACY_UPDATER_KEYS), attributes.toString());
    }

    @Test
    void cpuFeaturesComeFromTheFirstCoreInTheTargetDescriptorsNames() {
        // x86: the flags line, only the features inference code is built for.
        assertEquals(java.util.Set.of("avx", "avx2", "avx512_vnni", "avx512f", "fma", "sse4_2"), DeviceProbe.cpuFeatures(List.of(
                "processor\t: 0", "flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512vnni sha_ni", "processor\t: 1", "flags\t\t: fpu")));
        // aarch64: the kernel's asimd, asimddp and asimdhp are neon, dotprod and fp16.
        assertEquals(java.util.Set.of("dotprod", "fp16", "i8mm", "neon"), DeviceProbe.cpuFeatures(List.of(
                "processor\t: 0", "Features\t: fp asimd evtstrm aes crc32 asimdhp asimddp i8mm")));
        assertEquals(java.util.Set.of(), DeviceProbe.cpuFeatures(List.of("model name\t: something")));
    }

    @Test
    void theDeviceReportsExactlyOneVectorWidth() {
        List<String> avx512 = List.of("flags\t\t: fpu sse4_2 avx avx2 fma avx512f");
        List<String> avx2 = List.of("flags\t\t: fpu sse4_2 avx avx2 fma");
        assertEquals(java.util.Set.of("avx", "avx2", "avx512f", "fma", "sse4_2", "vec512"), DeviceProbe.cpuFeatures("x86_64", avx512));
        assertEquals(java.util.Set.of("avx", "avx2", "fma", "sse4_2", "vec256"), DeviceProbe.cpuFeatures("x86_64", avx2));
        assertEquals(java.util.Set.of("sse4_2", "vec128"), DeviceProbe.cpuFeatures("x86_64", List.of("flags\t\t: fpu sse4_2")));
        assertEquals(java.util.Set.of("neon", "vec128"), DeviceProbe.cpuFeatures("aarch64", List.of("Features\t: fp asimd")));
        assertEquals(java.util.Set.of(), DeviceProbe.cpuFeatures("riscv64", List.of("isa\t: rv64imafdc")));
        // This machine's report carries its one token, so the server and the verifier see the same width.
        List<String> here = DeviceProbe.cpuFeatures();
        assertTrue(here.stream().filter(f -> f.startsWith("vec")).count() <= 1, here.toString());
    }

    @Test
    void theVerifierRefusesAFileLaidOutForAnotherVectorWidth() {
        // ONNX Runtime at level extended/all blocks Conv weights by the converting CPU's vector
        // width: a file made on an AVX2 server computes wrong results on an AVX-512 device, although
        // that device has every AVX2 feature. The width tokens make the match exact.
        DeviceFacts avx512Device = new DeviceFacts("x86_64", List.of("cpu"), Map.of("onnxruntime", "1.20.0"),
                DeviceProbe.cpuFeatures("x86_64", List.of("flags\t\t: sse4_2 avx avx2 fma avx512f")), 4096L, "linux");
        DeviceFacts avx2Device = new DeviceFacts("x86_64", List.of("cpu"), Map.of("onnxruntime", "1.20.0"),
                DeviceProbe.cpuFeatures("x86_64", List.of("flags\t\t: sse4_2 avx avx2 fma")), 4096L, "linux");
        TargetDescriptor madeOnAvx2 = TargetDescriptor.of("onnx", "onnxruntime", null, "x86_64", "cpu", "fp32", null, null,
                List.of("avx2", "fma", "vec256"));
        TargetDescriptor madeOnAvx512 = TargetDescriptor.of("onnx", "onnxruntime", null, "x86_64", "cpu", "fp32", null, null,
                List.of("avx2", "vec512"));
        assertEquals(List.of(), avx2Device.unmetRequirements(madeOnAvx2));
        assertEquals(List.of(), avx512Device.unmetRequirements(madeOnAvx512));
        assertTrue(avx512Device.unmetRequirements(madeOnAvx2).toString().contains("vec256"), avx512Device.unmetRequirements(madeOnAvx2).toString());
        assertTrue(avx2Device.unmetRequirements(madeOnAvx512).toString().contains("vec512"), avx2Device.unmetRequirements(madeOnAvx512).toString());
    }
}
