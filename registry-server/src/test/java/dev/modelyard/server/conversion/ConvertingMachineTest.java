package dev.modelyard.server.conversion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The converting machine's CPU features, read as Linux lists them. */
class ConvertingMachineTest {

    @TempDir
    Path dir;

    @Test
    void x86FlagsOfTheFirstProcessor() throws Exception {
        Path info = Files.writeString(dir.resolve("cpuinfo"), """
                processor\t: 0
                vendor_id\t: GenuineIntel
                flags\t\t: fpu vme sse4_1 sse4_2 avx avx2 fma avx512f avx512vnni hypervisor
                bugs\t\t: spectre_v1

                processor\t: 1
                flags\t\t: fpu sse4_2
                """);
        assertEquals(Set.of("sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni"), ConvertingMachine.features(info));
    }

    @Test
    void armFeaturesInTheNamesDescriptorsUse() throws Exception {
        Path info = Files.writeString(dir.resolve("cpuinfo"), """
                processor\t: 0
                BogoMIPS\t: 50.00
                Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
                CPU implementer\t: 0x41
                """);
        assertEquals(Set.of("neon", "fp16", "dotprod"), ConvertingMachine.features(info));
    }

    @Test
    void noCpuinfoMeansNoFeatures() {
        assertEquals(Set.of(), ConvertingMachine.features(dir.resolve("absent")));
    }

    @Test
    void theVectorWidthEveryNonPortableResultNeeds() {
        assertEquals("vec512", new ConvertingMachine("x86_64", Set.of("avx", "avx2", "avx512f")).vectorWidth());
        assertEquals("vec256", new ConvertingMachine("x86_64", Set.of("avx", "avx2", "fma")).vectorWidth());
        assertEquals("vec256", new ConvertingMachine("x86_64", Set.of("avx")).vectorWidth());
        assertEquals("vec128", new ConvertingMachine("x86_64", Set.of("sse4_2")).vectorWidth());
        assertEquals("vec128", new ConvertingMachine("aarch64", Set.of("neon", "dotprod")).vectorWidth());
        assertEquals(null, new ConvertingMachine("aarch64", Set.of()).vectorWidth());
        assertEquals(null, new ConvertingMachine("riscv64", Set.of()).vectorWidth());
    }

    @Test
    void thisMachineNamesAnArchitectureDescriptorsKnow() {
        ConvertingMachine here = ConvertingMachine.local();
        assertEquals(true, dev.modelyard.wire.TargetDescriptor.ARCHES.contains(here.arch()), here.arch());
    }
}
