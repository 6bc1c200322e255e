package dev.modelyard.server.delta;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** modelyard.delta.level is checked at start against the levels the encoders accept, naming the setting. */
class DeltaLevelCheckTest {

    @Test
    void aLevelTheEncodersRefuseStopsTheStartWithTheSettingNamed() {
        assertDoesNotThrow(() -> DeltaWorkers.checkLevel(1));
        assertDoesNotThrow(() -> DeltaWorkers.checkLevel(19));
        assertEquals("modelyard.delta.level is 0: the zstd level of delta builds must be 1 to 19",
                assertThrows(IllegalStateException.class, () -> DeltaWorkers.checkLevel(0)).getMessage());
        assertEquals("modelyard.delta.level is 22: the zstd level of delta builds must be 1 to 19",
                assertThrows(IllegalStateException.class, () -> DeltaWorkers.checkLevel(22)).getMessage());
    }
}
