package dev.modelyard.server.conversion.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private static ChainSpec int8(Map<String, Object> params, Double maxAbsError, Integer timeout) {
        return new ChainSpec(List.of(new StepSpec(null, "int8-weights-qdq", params, null, null, null)),
                new TargetDescriptor("onnx", null, null, "aarch64", null, "int8", null, null),
                new ChainSpec.Tolerance(maxAbsError, null), timeout, null).normalize(CONFIG);
    }

    @Test
    void defaultsSpelledOutOrLeftOutAreTheSameConversion() {
        ChainSpec implicit = int8(Map.of(), 0.05, null);
        ChainSpec explicit = int8(Map.of("perChannel", true, "minElements", 16), 0.050, 600);
        assertEquals(implicit.idempotencyKey(SOURCE), explicit.idempotencyKey(SOURCE), "timeouts do not change what is made");
        assertEquals(implicit.steps(), explicit.steps());
        assertEquals("onnxruntime", implicit.target().runtime());
        assertEquals(0.99999, implicit.tolerance().minCosine());
        assertEquals(3600, implicit.timeoutSeconds());
    }

    @Test
    void anotherSourceParameterOrToleranceIsAnotherConversion() {
        String key = int8(Map.of(), 0.05, null).idempotencyKey(SOURCE);
        assertNotEquals(key, int8(Map.of(), 0.05, null).idempotencyKey("cd".repeat(32)));
        assertNotEquals(key, int8(Map.of("perChannel", false), 0.05, null).idempotencyKey(SOURCE));
        assertNotEquals(key, int8(Map.of(), 0.01, null).idempotencyKey(SOURCE));
        assertTrue(key.matches("[0-9a-f]{64}"));
    }

    @Test
    void commandsOutsideTheAllowListAreRefused() {
        StepSpec sh = new StepSpec("command", null, null, List.of("/bin/sh", "-c", "cp {input} {output}"), 10, "onnx");
        ChainSpec chain = new ChainSpec(List.of(sh), new TargetDescriptor("onnx", null, null, null, null, null, null, null),
                null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chain.normalize(CONFIG));
        assertTrue(e.getMessage().contains("not in modelyard.conversion.allowed-commands"), e.getMessage());
    }
}
