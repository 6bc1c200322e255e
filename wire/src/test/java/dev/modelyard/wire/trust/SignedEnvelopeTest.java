package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignedEnvelopeTest {

    private static final String KEYID = "ab".repeat(32);
    private static final String SIG = Base64.getEncoder().encodeToString(new byte[64]);

    @Test
    void writesTheDocumentedShape() {
        Map<String, Object> signed = new LinkedHashMap<>();
        signed.put("_type", "x");
        signed.put("n", 1L);
        SignedEnvelope env = new SignedEnvelope(signed, List.of(new Signature(KEYID, SIG)));
        assertEquals("""
                {
                  "signed": {
                    "_type": "x",
                    "n": 1
                  },
                  "signatures": [
                    {
                      "keyid": "%s",
                      "sig": "%s"
                    }
                  ]
                }
                """.formatted(KEYID, SIG), env.toJson());
        assertEquals("{\"_type\":\"x\",\"n\":1}", new String(env.canonicalSigned(), StandardCharsets.UTF_8));
        assertEquals("x", env.type());
    }

    @Test
    void roundTripsThroughJson() {
        SignedEnvelope env = new SignedEnvelope(Map.of("_type", "x", "list", List.of(1L, "a")),
                List.of(new Signature(KEYID, SIG), new Signature("cd".repeat(32), SIG)));
        assertEquals(env, SignedEnvelope.parse(env.toJson()));
        assertEquals(env, SignedEnvelope.parse(env.toJsonBytes()));
        assertTrue(env.toJson().startsWith("{\n  \"signed\": {"));
    }

    @Test
    void signaturesCoverTheCanonicalFormNotTheSpelling() {
        SignedEnvelope a = SignedEnvelope.parse("{\"signed\":{\"b\":1,\"a\":\"\\u00e9\"},\"signatures\":[]}");
        SignedEnvelope b = SignedEnvelope.parse("{ \"signatures\" : [ ], \"signed\" : { \"a\" : \"é\", \"b\" : 1 } }");
        assertArrayEquals(a.canonicalSigned(), b.canonicalSigned());
    }

    @Test
    void isDeeplyImmutable() {
        List<Object> list = new ArrayList<>(List.of(1L));
        Map<String, Object> signed = new HashMap<>(Map.of("l", list));
        SignedEnvelope env = new SignedEnvelope(signed, new ArrayList<>());
        list.add(2L);
        signed.put("x", 1L);
        assertEquals("{\"l\":[1]}", new String(env.canonicalSigned(), StandardCharsets.UTF_8));
        assertThrows(UnsupportedOperationException.class, () -> env.signed().put("y", 1L));
    }

    @Test
    void typeIsNullWhenAbsentOrNotAString() {
        assertNull(new SignedEnvelope(Map.of(), List.of()).type());
        assertNull(new SignedEnvelope(Map.of("_type", 1L), List.of()).type());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"signed\":{}}|signatures: is required",
            "{\"signatures\":[]}|signed: is required",
            "{\"signed\":[],\"signatures\":[]}|signed: expected an object, got an array",
            "{\"signed\":{},\"signatures\":{}}|signatures: expected an array, got an object",
            "{\"signed\":{},\"signatures\":[],\"extra\":1}|unknown field(s) [extra]",
            "{\"signed\":{},\"signatures\":[1]}|signatures[0]: expected an object, got an integer",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"AB\",\"sig\":\"\"}]}|signatures[0].sig: must not be empty",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"AB\",\"sig\":\"AA==\"}]}|signatures[0]: signature keyid: 'AB' is not 64 lowercase hex digits",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"KEYID\",\"sig\":\"AA==\"}]}|signatures[0]: signature sig: decodes to 1 bytes",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"KEYID\",\"sig\":\"A\"}]}|signatures[0]: signature sig: not valid base64",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"KEYID\",\"sig\":\"AB==\"}]}|signatures[0]: signature sig: not canonical",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"KEYID\"}]}|signatures[0].sig: is required",
            "{\"signed\":{},\"signatures\":[{\"keyid\":\"KEYID\",\"sig\":\"SIG\",\"alg\":\"x\"}]}|signatures[0]: unknown field(s) [alg]",
            "{\"signed\":{\"a\":0.5},\"signatures\":[]}|integers only",
    })
    void rejectsMalformedEnvelopesNamingTheField(String json, String message) {
        String text = json.replace("KEYID", KEYID).replace("SIG", SIG);
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> SignedEnvelope.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
