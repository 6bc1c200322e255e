package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    private static String canonical(Object value) {
        return new String(CanonicalJson.canonicalize(value), StandardCharsets.UTF_8);
    }

    @Test
    void sortsKeysByUtf16CodeUnitsAsInRfc8785() {
        // RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33 by code
        // units although it is the larger code point.
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, canonical(CanonicalJson.parse(input)));
    }

    @Test
    void escapesStringsAsInRfc8785() {
        // The string and literal parts of the RFC 8785 section 3.2.2 example (numbers are not
        // allowed here).
        String input = "{\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        String expected = "{\"literals\":[null,true,false],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, canonical(CanonicalJson.parse(input)));
    }

    @Test
    void escapesEveryControlCharacterAndNothingElse() {
        StringBuilder s = new StringBuilder();
        for (char c = 0; c < 0x20; c++) s.append(c);
        s.append("\u007f\u2028\u2029\"\\/é");
        String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
                + "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
                + "\\u001b\\u001c\\u001d\\u001e\\u001f\u007f\u2028\u2029\\\"\\\\/é\"";
        assertEquals(expected, canonical(s.toString()));
        assertEquals(s.toString(), CanonicalJson.parse(expected));
    }

    @Test
    void writesUtf8Bytes() {
        assertArrayEquals(new byte[] {'"', (byte) 0xC3, (byte) 0xA9, (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, '"'},
                CanonicalJson.canonicalize("é\ud83d\ude00"));
    }

    @Test
    void writesIntegersBooleansNullAndNesting() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", List.of(1L, -2, (short) 3, (byte) 4, CanonicalJson.MAX_SAFE_INTEGER, -CanonicalJson.MAX_SAFE_INTEGER));
        map.put("a", new HashMap<>(Map.of("y", true, "x", false)));
        map.put("c", null);
        map.put("d", List.of());
        map.put("e", Map.of());
        assertEquals("{\"a\":{\"x\":false,\"y\":true},\"b\":[1,-2,3,4,9007199254740991,-9007199254740991],"
                + "\"c\":null,\"d\":[],\"e\":{}}", canonical(map));
    }

    @Test
    void compactAndPrettyKeepMapOrder() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("z", 1L);
        map.put("a", List.of("x", Map.of("k", "\n")));
        map.put("e", List.of());
        map.put("m", Map.of());
        assertEquals("{\"z\":1,\"a\":[\"x\",{\"k\":\"\\n\"}],\"e\":[],\"m\":{}}", CanonicalJson.toCompactString(map));
        assertEquals("""
                {
                  "z": 1,
                  "a": [
                    "x",
                    {
                      "k": "\\n"
                    }
                  ],
                  "e": [],
                  "m": {}
                }
                """, CanonicalJson.toPrettyString(map));
    }

    @Test
    @SuppressWarnings("unchecked")
    void parsesToUnmodifiablePlainValues() {
        Object parsed = CanonicalJson.parse(" {\"a\": [1, -0, \"s\", true, false, null, {}], \"b\": {\"c\": -42}}\r\n\t");
        Map<?, ?> map = (Map<?, ?>) parsed;
        assertEquals(Arrays.asList(1L, 0L, "s", true, false, null, Map.of()), map.get("a"));
        assertEquals(Map.of("c", -42L), map.get("b"));
        assertThrows(UnsupportedOperationException.class, () -> ((Map<String, Object>) parsed).put("x", 1L));
        assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) map.get("a")).add(2L));
        assertNull(CanonicalJson.parse("null"));
    }

    @Test
    void keepsDocumentOrderWhenParsing() {
        Object parsed = CanonicalJson.parse("{\"b\":1,\"a\":2}");
        assertEquals(List.of("b", "a"), new ArrayList<>(((Map<?, ?>) parsed).keySet()));
        assertEquals("{\"b\":1,\"a\":2}", CanonicalJson.toCompactString(parsed));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\":1.0}", "{\"a\":1e3}", "{\"a\":1E3}", "[0.5]", "[-1.5]",
    })
    void rejectsNonIntegralNumbers(String json) {
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> CanonicalJson.parse(json));
        assertTrue(e.getMessage().contains("integers only"), e.getMessage());
    }

    @Test
    void rejectsDuplicateKeysNamingThem() {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> CanonicalJson.parse("{\"a\":1,\"b\":{\"x\":1,\"x\":2}}"));
        assertTrue(e.getMessage().contains("duplicate key \"x\""), e.getMessage());
        // Keys that differ only in how they are escaped are the same key.
        assertThrows(JsonFormatException.class, () -> CanonicalJson.parse("{\"a\":1,\"\\u0061\":2}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "[1 2]", "01", "-", "+1", "--1",
            "9007199254740992", "-9007199254740992", "123456789012345678901234567890",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"", "\"\\ud800\"", "\"\\udc00\\ud800\"",
            "\"\\ud83d x\"", "tru", "nul", "True", "[1] [2]", "{} x", "\ufeff{}", "NaN", "Infinity", "'a'",
    })
    void rejectsInvalidOrAmbiguousJson(String json) {
        assertThrows(JsonFormatException.class, () -> CanonicalJson.parse(json));
    }

    @Test
    void acceptsTheLargestExactIntegers() {
        assertEquals(CanonicalJson.MAX_SAFE_INTEGER, CanonicalJson.parse("9007199254740991"));
        assertEquals(-CanonicalJson.MAX_SAFE_INTEGER, CanonicalJson.parse("-9007199254740991"));
    }

    @Test
    void rejectsInvalidUtf8() {
        assertThrows(JsonFormatException.class, () -> CanonicalJson.parse(new byte[] {'"', (byte) 0xC3, '"'}));
        // An overlong encoding of '/'.
        assertThrows(JsonFormatException.class, () -> CanonicalJson.parse(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}));
        assertEquals("é", CanonicalJson.parse("\"é\"".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void limitsNesting() {
        String deep = "[".repeat(CanonicalJson.MAX_DEPTH + 2) + "]".repeat(CanonicalJson.MAX_DEPTH + 2);
        assertThrows(JsonFormatException.class, () -> CanonicalJson.parse(deep));
        String ok = "[".repeat(CanonicalJson.MAX_DEPTH) + "]".repeat(CanonicalJson.MAX_DEPTH);
        assertEquals(ok, canonical(CanonicalJson.parse(ok)));
    }

    @Test
    void refusesToWriteWhatTheFormatCannotHold() {
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(1.5));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(1.0f));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(BigDecimal.ONE));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(CanonicalJson.MAX_SAFE_INTEGER + 1));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(Map.of(1, "a")));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize("\ud800"));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(new Object()));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(JsonFormatException.class, () -> CanonicalJson.canonicalize(cycle));
    }

    @Test
    void immutableCopyNormalizesIntegersAndDetaches() {
        List<Object> inner = new ArrayList<>(List.of(1, 2));
        Map<String, Object> source = new LinkedHashMap<>(Map.of("a", inner));
        Map<?, ?> copy = (Map<?, ?>) CanonicalJson.immutableCopy(source);
        inner.add(3);
        assertEquals(List.of(1L, 2L), copy.get("a"));
        assertThrows(JsonFormatException.class, () -> CanonicalJson.immutableCopy(Map.of("a", 0.5)));
    }

    @Test
    void canonicalFormIsAFixedPoint() {
        String json = "{ \"b\" : [ 3, { \"z\": null, \"y\": \"\\u00e9\\n\" } ], \"a\": \"\\/\" }";
        byte[] once = CanonicalJson.canonicalize(CanonicalJson.parse(json));
        assertArrayEquals(once, CanonicalJson.canonicalize(CanonicalJson.parse(once)));
        assertEquals("{\"a\":\"/\",\"b\":[3,{\"y\":\"é\\n\",\"z\":null}]}", new String(once, StandardCharsets.UTF_8));
    }
}
