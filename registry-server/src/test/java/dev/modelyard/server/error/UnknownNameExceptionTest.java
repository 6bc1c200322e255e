package dev.modelyard.server.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownNameExceptionTest {

    private static final List<String> TARGET = List.of("accelerator", "arch", "format", "minMemoryMb", "os", "precision",
            "runtime", "runtimeVersion", "sha256");

    @Test
    void swappedNeighboursCountAsOneEdit() {
        assertEquals(1, UnknownNameException.distance("arhc", "arch"));
        assertEquals(1, UnknownNameException.distance("verison", "version"));
        assertEquals(2, UnknownNameException.distance("precison", "precisions"));
        assertEquals(3, UnknownNameException.distance("", "abc"));
    }

    @Test
    void suggestsTheClosestNameWithinAFewTypos() {
        assertEquals("arch", UnknownNameException.closest("arhc", TARGET));
        assertEquals("minMemoryMb", UnknownNameException.closest("minmemorymb", TARGET));
        assertEquals("runtimeVersion", UnknownNameException.closest("runtimeVerion", TARGET));
        assertNull(UnknownNameException.closest("colour", TARGET));
        assertNull(UnknownNameException.closest("x", List.of()));
    }

    @Test
    void theDetailNamesTheFieldTheSuggestionAndTheAcceptedNames() {
        UnknownNameException e = UnknownNameException.field("selfTest.cases[0].inptus", List.of("outputs", "inputs", "name"));
        assertEquals(ErrorCode.UNKNOWN_FIELD, e.code());
        assertEquals(List.of("inputs", "name", "outputs"), e.accepted());
        assertEquals("unknown field 'selfTest.cases[0].inptus' (did you mean 'selfTest.cases[0].inputs'?); "
                + "accepted: inputs, name, outputs", e.getMessage());
        assertEquals("unknown query parameter 'verbose'; this operation takes none",
                UnknownNameException.queryParameter("verbose", List.of()).getMessage());
    }
}
