package dev.modelyard.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetDescriptorTest {

    @Test
    void fillsDefaults() {
        TargetDescriptor d = TargetDescriptor.of("ONNX", null, null, null, null, null, null, null);
        assertEquals(new TargetDescriptor("onnx", "onnxruntime", null, "any", "cpu", "fp32", null, null), d);
        assertTrue(d.anyArch());
    }

    @ParameterizedTest
    @CsvSource({
            "'',onnxruntime,,x86_64,cpu,fp32,format",
            "onnx,onnxruntime,>=x,x86_64,cpu,fp32,runtimeVersion",
            "onnx,onnxruntime,,sparc,cpu,fp32,arch",
            "onnx,onnxruntime,,x86_64,CUDA 12,fp32,accelerator",
            "onnx,onnxruntime,,x86_64,cpu,fp64,precision",
    })
    void namesTheFieldThatIsWrong(String format, String runtime, String rv, String arch, String acc, String prec,
                                  String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TargetDescriptor.of(format, runtime, rv, arch, acc, prec, null, null));
        assertTrue(e.getMessage().startsWith(field + ":"), e.getMessage());
    }

    @Test
    void cpuFeaturesGivenByUsersMustBeKnown() {
        TargetDescriptor d = TargetDescriptor.of("onnx", null, null, "aarch64", null, null, null, null,
                java.util.List.of("ASIMD", "asimddp"));
        assertEquals(java.util.List.of("dotprod", "neon"), d.cpuFeatures());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TargetDescriptor.of("onnx", null, null, "x86_64", null, null, null, null,
                        java.util.List.of("avx2", "avx3")));
        assertTrue(e.getMessage().startsWith("cpuFeatures: 'avx3' is not a known CPU feature (known: amx_bf16, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("avx512f") && e.getMessage().contains("sve2") && e.getMessage().endsWith("vec512)"), e.getMessage());
    }

    @Test
    void theCanonicalConstructorAcceptsANewerVocabulary() {
        // Signed metadata from a newer server may name features this side does not know yet.
        TargetDescriptor d = new TargetDescriptor("onnx", "onnxruntime", null, "x86_64", "cpu", "fp32", null, null,
                java.util.List.of("avx3"));
        d.validate();
        assertEquals(java.util.List.of("avx3"), d.cpuFeatures());
    }

    @Test
    void rejectsAbsurdMemory() {
        assertThrows(IllegalArgumentException.class,
                () -> TargetDescriptor.of("onnx", null, null, null, null, null, 0, null));
    }

    @Test
    void versionRanges() {
        VersionRange r = VersionRange.parse(">=1.17, <2");
        assertTrue(r.contains("1.17.0"));
        assertTrue(r.contains("1.20.3"));
        assertTrue(r.contains("1.18.0-rc1"));
        assertFalse(r.contains("1.16.3"));
        assertFalse(r.contains("2.0.0"));
        assertFalse(r.contains("garbage"));
        assertTrue(VersionRange.parse("1.18").contains("1.18.0"));
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(">=1.x"));
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(" "));
    }
}
