package dev.modelyard.server.conversion.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What makes two chains the same conversion, and what a chain may not be. */
class ChainSpecTest {

    private static final String SOURCE = "ab".repeat(32);

    private static final ModelyardConfig.Conversion CONFIG = new ModelyardConfig.Conversion() {
        public int workers() { return 1; }
        public Duration pollInterval() { return Duration.ofSeconds(2); }
        public Duration leaseDuration() { return Duration.ofSeconds(60); }
        public Duration retryBackoff() { return Duration.ofSeconds(30); }
        public Duration maxBackoff() { return Duration.ofMinutes(30); }
        public int maxAttempts() { return 3; }
        public Duration jobTimeout() { return Duration.ofHours(1); }
        public int equivalenceSamples() { return 8; }
        public Optional<List<String>> allowedCommands() { return Optional.of(List.of("/bin/cp")); }
        public MemorySize commandOutputLimit() { return new MemorySize(java.math.BigInteger.valueOf(65536)); }
    };

    /** An AVX2 server without AVX-512. */
    private static final ConvertingMachine X86 = new ConvertingMachine("x86_64", Set.of("avx", "avx2", "fma", "sse4_2"));

    private static ChainSpec int8(Map<String, Object> params, Double maxAbsError, Integer timeout) {
        return new ChainSpec(List.of(new StepSpec(null, "int8-weights-qdq", params, null, null, null)),
                new TargetDescriptor("onnx", null, null, "aarch64", null, "int8", null, null),
                new ChainSpec.Tolerance(maxAbsError, null), timeout, null, null).normalize(CONFIG, X86);
    }

    private static ChainSpec chain(StepSpec step, String arch, List<String> features, Boolean optimized) {
        return new ChainSpec(List.of(step), new TargetDescriptor("onnx", null, null, arch, null, null, null, null, features),
                null, null, null, optimized).normalize(CONFIG, X86);
    }

    private static ChainSpec ortChain(StepSpec step) {
        return new ChainSpec(List.of(step), new TargetDescriptor("ort", null, null, null, null, null, null, null),
                null, null, null, null).normalize(CONFIG, X86);
    }

    private static StepSpec ortOptimize(String level) {
        return new StepSpec(null, "ort-optimize", Map.of("level", level), null, null, null);
    }

    private static final StepSpec COPY = new StepSpec("command", null, null, List.of("/bin/cp", "{input}", "{output}"), 10, "onnx");
    private static final StepSpec FP16 = new StepSpec(null, "fp16-weights", Map.of(), null, null, null);

    @Test
    void keysOfChainsWithoutFeaturesOrAnOptimizedFlagAreWhatTheyWereBefore() {
        // Computed by the code before CPU features and the optimized flag existed: jobs already
        // requested must still be found, not requested again. (The built-in chain's key changed
        // once, on purpose, with BuiltInConverters.IMPLEMENTATION_VERSION 2: it was
        // 656bff6caae33c776bc3ff2e91ec9f5fc881ba82d467dbdb6fdc6cf0f6e8fef3 under version 1.)
        assertEquals("2", dev.modelyard.server.conversion.BuiltInConverters.IMPLEMENTATION_VERSION);
        assertEquals("cb1a1989505568cd7aa4e0009bde9721e0a0ae44d16c486a7d442e0b5b537cbc", int8(Map.of(), 0.05, null).idempotencyKey(SOURCE, X86));
        assertEquals("13a69a1cc86c28ac940bd8d6cb202cf7822c82f8ffe981f8927da91e6174b85e",
                chain(COPY, null, List.of(), null).idempotencyKey(SOURCE, X86));
        assertEquals("13a69a1cc86c28ac940bd8d6cb202cf7822c82f8ffe981f8927da91e6174b85e",
                chain(COPY, null, List.of(), false).idempotencyKey(SOURCE, X86), "the default spelled out is the same conversion");
    }

    @Test
    void namedCpuFeaturesAreCanonicalAndAnotherConversion() {
        ChainSpec plain = chain(COPY, "aarch64", List.of(), null);
        ChainSpec neon = chain(COPY, "aarch64", List.of("ASIMD", "asimddp", "neon"), null);
        assertEquals(List.of("dotprod", "neon"), neon.target().cpuFeatures());
        assertNotEquals(plain.idempotencyKey(SOURCE, X86), neon.idempotencyKey(SOURCE, X86));
        assertEquals(neon.target(), neon.resultTarget(X86), "a command step's target is what the profile says");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain(COPY, null, List.of("avx2"), null));
        assertEquals("target.cpuFeatures: name the architecture (arch) the features belong to", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> chain(COPY, "x86_64", List.of("AVX 2"), null));
        assertTrue(e.getMessage().startsWith("target.cpuFeatures: 'avx 2' must be a lower-case token"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> chain(COPY, "x86_64", List.of("avx2", "avx3"), null));
        assertTrue(e.getMessage().startsWith("target.cpuFeatures: 'avx3' is not a known CPU feature (known: "), e.getMessage());
    }

    @Test
    void aStepThatIsNotPortableMakesCodeForTheConvertingCpu() {
        ChainSpec all = chain(ortOptimize("all"), null, List.of(), null);
        assertEquals(TargetDescriptor.ANY_ARCH, all.target().arch(), "the profile keeps what it says");
        TargetDescriptor made = all.resultTarget(X86);
        assertEquals("x86_64", made.arch());
        assertEquals(List.of("avx", "avx2", "fma", "sse4_2", "vec256"), made.cpuFeatures(),
                "every feature of the converting CPU, and its vector width");
        // the profile names the features its devices have: those are what the file needs, and
        // the converting CPU's vector width, which the file's blocked kernels are laid out for
        assertEquals(List.of("avx2", "vec256"), chain(ortOptimize("extended"), "x86_64", List.of("avx2"), null).resultTarget(X86).cpuFeatures());
        assertEquals(List.of("avx2", "vec256"), chain(ortOptimize("extended"), "x86_64", List.of("avx2", "vec256"), null).resultTarget(X86).cpuFeatures());
        ConvertingMachine avx512 = new ConvertingMachine("x86_64", Set.of("avx", "avx2", "avx512f", "fma"));
        assertEquals(List.of("avx2", "vec512"), chain(ortOptimize("all"), "x86_64", List.of("avx2"), null).resultTarget(avx512).cpuFeatures(),
                "a profile naming [avx2] on an AVX-512 server makes a file only AVX-512 devices compute right");
        assertEquals(List.of("neon", "vec128"), chain(ortOptimize("all"), null, List.of(), null)
                .resultTarget(new ConvertingMachine("aarch64", Set.of("neon"))).cpuFeatures());
        // a profile naming another width asks for a file this server cannot make
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> chain(ortOptimize("all"), "x86_64", List.of("avx2", "vec512"), null));
        assertTrue(width.getMessage().startsWith("target.cpuFeatures: 'vec512' but step ort-optimize lays out kernels for the converting"
                + " CPU's vector width, which is vec256"), width.getMessage());
        // a portable level leaves the target alone
        assertEquals(TargetDescriptor.ANY_ARCH, chain(ortOptimize("basic"), null, List.of(), null).resultTarget(X86).arch());
        // another architecture cannot be built here
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain(ortOptimize("all"), "aarch64", List.of(), null));
        assertTrue(e.getMessage().startsWith("target.arch: 'aarch64' but step ort-optimize makes code for the converting CPU, which is x86_64"),
                e.getMessage());
        // ... and a job frozen on one replica fails on a replica of another architecture
        ChainSpec x86 = chain(ortOptimize("all"), "x86_64", List.of(), null);
        e = assertThrows(IllegalArgumentException.class, () -> x86.resultTarget(new ConvertingMachine("aarch64", Set.of("neon"))));
        assertTrue(e.getMessage().startsWith("target.arch: 'x86_64'"), e.getMessage());
    }

    /** A chain's steps, its target's arch and features, the converting CPU, and what the result needs or why it is refused. */
    private record VnniRow(List<StepSpec> steps, String arch, List<String> features, ConvertingMachine machine, String expected) {
    }

    @Test
    void fullEightBitWeightsNeverReachAnX86CpuWithoutVnni() {
        StepSpec dynamicFull = new StepSpec(null, "int8-dynamic", Map.of("reduceRange", false), null, null, null);
        StepSpec staticFull = new StepSpec(null, "int8-static", Map.of("reduceRange", false), null, null, null);
        StepSpec dynamic = new StepSpec(null, "int8-dynamic", Map.of(), null, null, null);
        ConvertingMachine vnni = new ConvertingMachine("x86_64", Set.of("avx", "avx2", "avx512f", "avx512_vnni", "fma"));
        // expected: the result's CPU features joined by '+', or '!' and the start of the refusal
        for (VnniRow row : List.of(
                // 7-bit weights (the default) are safe on every CPU
                new VnniRow(List.of(dynamic), null, List.of(), X86, ""),
                // ARM's integer kernels do not saturate
                new VnniRow(List.of(dynamicFull), "aarch64", List.of(), X86, ""),
                // on x86_64 the profile names the VNNI its devices have, and the file needs it
                new VnniRow(List.of(dynamicFull), "x86_64", List.of("avx512_vnni"), X86, "avx512_vnni"),
                new VnniRow(List.of(staticFull), "x86_64", List.of("avx2", "avx_vnni"), X86, "avx2+avx_vnni"),
                new VnniRow(List.of(dynamicFull), "x86_64", List.of("avx2"), X86,
                        "!target.cpuFeatures: step int8-dynamic with reduceRange false makes full 8-bit weights"),
                new VnniRow(List.of(staticFull), null, List.of(), X86,
                        "!target.arch: step int8-static with reduceRange false makes full 8-bit weights"),
                // made for the converting CPU: its VNNI is among the features the file needs; without one, refused
                new VnniRow(List.of(dynamicFull, ortOptimize("all")), null, List.of(), vnni, "avx+avx2+avx512_vnni+avx512f+fma+vec512"),
                new VnniRow(List.of(dynamicFull, ortOptimize("all")), null, List.of(), X86, "!target.cpuFeatures: step int8-dynamic"))) {
            ChainSpec chain = new ChainSpec(row.steps(), new TargetDescriptor("onnx", null, null, row.arch(), null, "int8", null, null,
                    row.features()), null, null, null, null);
            if (row.expected().startsWith("!")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain.normalize(CONFIG, row.machine()),
                        row.toString());
                assertTrue(e.getMessage().startsWith(row.expected().substring(1)), row + ": " + e.getMessage());
            } else {
                assertEquals(row.expected(), String.join("+", chain.normalize(CONFIG, row.machine()).resultTarget(row.machine()).cpuFeatures()),
                        row.toString());
            }
        }
        // a job frozen before the rule fails on any replica instead of adding a file x86 devices may compute wrong
        ChainSpec frozen = new ChainSpec(List.of(dynamicFull.normalize("steps[0]", CONFIG)),
                TargetDescriptor.of("onnx", null, null, null, null, "int8", null, null, List.of()), null, 60, 1, true);
        assertThrows(IllegalArgumentException.class, () -> frozen.resultTarget(vnni));
    }

    @Test
    void aChainThatMakesCodeForTheConvertingCpuIsAnotherConversionOnAnotherCpu() {
        ConvertingMachine avx512 = new ConvertingMachine("x86_64", Set.of("avx", "avx2", "fma", "sse4_2", "avx512f"));
        ConvertingMachine arm = new ConvertingMachine("aarch64", Set.of("neon", "dotprod"));
        // not portable, no features named: the file needs what the converting CPU has, so the key says so
        ChainSpec all = chain(ortOptimize("all"), null, List.of(), null);
        assertNotEquals(all.idempotencyKey(SOURCE, X86), all.idempotencyKey(SOURCE, avx512));
        assertNotEquals(all.idempotencyKey(SOURCE, X86), all.idempotencyKey(SOURCE, arm));
        assertEquals(all.idempotencyKey(SOURCE, X86),
                all.idempotencyKey(SOURCE, new ConvertingMachine("x86_64", Set.of("sse4_2", "fma", "avx2", "avx"))));
        // features named by the profile are the result's: the same file on any CPU of the same
        // vector width, another one on a CPU of another width (its kernels are laid out for it)
        ChainSpec named = chain(ortOptimize("all"), "x86_64", List.of("avx2"), null);
        assertEquals(named.idempotencyKey(SOURCE, X86),
                named.idempotencyKey(SOURCE, new ConvertingMachine("x86_64", Set.of("avx", "avx2", "fma", "sse4_2", "f16c"))));
        assertNotEquals(named.idempotencyKey(SOURCE, X86), named.idempotencyKey(SOURCE, avx512));
        // portable chains make the same file everywhere
        for (ChainSpec portable : List.of(chain(ortOptimize("basic"), null, List.of(), null), chain(COPY, null, List.of(), null),
                int8(Map.of(), 0.05, null))) {
            assertEquals(portable.idempotencyKey(SOURCE, X86), portable.idempotencyKey(SOURCE, arm));
        }
    }

    @Test
    void optimizedFollowsTheStepsUnlessACommandSaysOtherwise() {
        assertTrue(chain(ortOptimize("basic"), null, List.of(), null).optimized());
        assertEquals(false, chain(FP16, null, List.of(), null).optimized());
        assertEquals(false, chain(COPY, null, List.of(), null).optimized());
        ChainSpec fastCopy = chain(COPY, null, List.of(), true);
        assertTrue(fastCopy.optimized());
        assertNotEquals(chain(COPY, null, List.of(), null).idempotencyKey(SOURCE, X86), fastCopy.idempotencyKey(SOURCE, X86));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain(FP16, null, List.of(), true));
        assertTrue(e.getMessage().startsWith("optimized: only a chain with a command step may set it"), e.getMessage());
        // ort-format is faster than its source only with the fused kernels of extended or all
        StepSpec ortBasic = new StepSpec(null, "ort-format", Map.of("level", "basic"), null, null, null);
        StepSpec ortAll = new StepSpec(null, "ort-format", Map.of("level", "all"), null, null, null);
        StepSpec ortDefault = new StepSpec(null, "ort-format", Map.of(), null, null, null);
        assertEquals(false, ortChain(ortBasic).optimized());
        assertEquals(false, ortChain(ortDefault).optimized(), "the default level is basic");
        assertTrue(ortChain(ortAll).optimized());
        assertTrue(chain(ortOptimize("extended"), null, List.of(), null).optimized());
        assertTrue(ortBasic.normalize("s", CONFIG).optimizing() == false && ortAll.normalize("s", CONFIG).optimizing());
        assertTrue(new StepSpec(null, "int8-dynamic", Map.of(), null, null, null).optimizing());
        assertTrue(new StepSpec(null, "int8-static", Map.of(), null, null, null).optimizing());
        // a job frozen before the flag existed takes the steps' default
        ChainSpec frozen = chain(ortOptimize("basic"), null, List.of(), null);
        assertTrue(new ChainSpec(frozen.steps(), frozen.target(), frozen.tolerance(), 60, 1, null).optimizedResult());
    }

    @Test
    void defaultsSpelledOutOrLeftOutAreTheSameConversion() {
        ChainSpec implicit = int8(Map.of(), 0.05, null);
        ChainSpec explicit = int8(Map.of("perChannel", true, "minElements", 16), 0.050, 600);
        assertEquals(implicit.idempotencyKey(SOURCE, X86), explicit.idempotencyKey(SOURCE, X86), "timeouts do not change what is made");
        assertEquals(implicit.steps(), explicit.steps());
        assertEquals("onnxruntime", implicit.target().runtime());
        assertEquals(0.99999, implicit.tolerance().minCosine());
        assertEquals(3600, implicit.timeoutSeconds());
    }

    @Test
    void anotherSourceParameterOrToleranceIsAnotherConversion() {
        String key = int8(Map.of(), 0.05, null).idempotencyKey(SOURCE, X86);
        assertNotEquals(key, int8(Map.of(), 0.05, null).idempotencyKey("cd".repeat(32), X86));
        assertNotEquals(key, int8(Map.of("perChannel", false), 0.05, null).idempotencyKey(SOURCE, X86));
        assertNotEquals(key, int8(Map.of(), 0.01, null).idempotencyKey(SOURCE, X86));
        assertTrue(key.matches("[0-9a-f]{64}"));
    }

    @Test
    void commandsOutsideTheAllowListAreRefused() {
        StepSpec sh = new StepSpec("command", null, null, List.of("/bin/sh", "-c", "cp {input} {output}"), 10, "onnx");
        ChainSpec chain = new ChainSpec(List.of(sh), new TargetDescriptor("onnx", null, null, null, null, null, null, null),
                null, null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain.normalize(CONFIG, X86));
        assertTrue(e.getMessage().contains("not in modelyard.conversion.allowed-commands"), e.getMessage());
    }
}
