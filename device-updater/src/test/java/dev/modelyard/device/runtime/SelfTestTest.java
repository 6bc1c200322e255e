package dev.modelyard.device.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SelfTestTest {

    private static SelfTest parse(String json) {
        return SelfTest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheDocumentTheServerShips() {
        SelfTest t = parse("""
                {"tolerance": 0.001, "cases": [
                  {"name": "zeros", "inputs": {"x": {"dtype": "float32", "shape": [1, 4], "data": [0, 0, 0, 0]}},
                   "outputs": {"y": {"dtype": "float32", "shape": [1, 4], "data": [1, 1, 1, 1.5]}}},
                  {"inputs": {"ids": {"dtype": "int64", "shape": [2], "data": [7, 9]}, "mask": {"dtype": "bool", "shape": [2], "data": [true, false]}},
                   "outputs": {"p": {"dtype": "uint8", "shape": [1], "data": [255]}}}]}""");
        assertEquals(0.001, t.tolerance());
        assertEquals(2, t.cases().size());
        assertArrayEquals(new float[]{1, 1, 1, 1.5f}, (float[]) t.cases().get(0).expected().get("y").data());
        assertArrayEquals(new long[]{7, 9}, (long[]) t.cases().get(1).inputs().get("ids").data());
        assertArrayEquals(new boolean[]{true, false}, (boolean[]) t.cases().get(1).inputs().get("mask").data());
        assertEquals((byte) 255, ((byte[]) t.cases().get(1).expected().get("p").data())[0]);
    }

    @Test
    void saysWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("{\"tolerance\": 0.1}")).getMessage().contains("cases"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("[1,")).getMessage().contains("not JSON"));
        String bad = assertThrows(IllegalArgumentException.class, () -> parse("""
                {"tolerance": 0, "cases": [{"name": "c1", "inputs": {"x": {"dtype": "float32", "shape": [1, 4], "data": [0]}}, "outputs": {}}]}
                """)).getMessage();
        assertTrue(bad.startsWith("c1: inputs 'x': shape [1, 4] needs 4 elements"), bad);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("{\"tolerance\": -1, \"cases\": []}"))
                .getMessage().contains("tolerance"));
    }
}
