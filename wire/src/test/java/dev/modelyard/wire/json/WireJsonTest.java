package dev.modelyard.wire.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WireJsonTest {

    private final ObjectMapper json = WireJson.mapper();

    record Stamped(String name, Instant at) {
    }

    @Test
    void absentFieldsAreLeftOutAndUnknownFieldsAreIgnored() throws Exception {
        TargetDescriptor t = TargetDescriptor.of("onnx", null, null, null, null, null, null, null);
        String text = json.writeValueAsString(t);
        assertFalse(text.contains("null"), text);
        assertFalse(text.contains("minMemoryMb"), text);
        String newer = text.substring(0, text.length() - 1) + ",\"addedLater\":{\"x\":1}}";
        assertEquals(t, json.readValue(newer, TargetDescriptor.class));
    }

    @Test
    void instantsAreIsoText() throws Exception {
        Stamped s = new Stamped("a", Instant.parse("2026-01-02T03:04:05.123Z"));
        String text = json.writeValueAsString(s);
        assertEquals("{\"name\":\"a\",\"at\":\"2026-01-02T03:04:05.123Z\"}", text);
        assertEquals(s, json.readValue(text, Stamped.class));
    }
}
