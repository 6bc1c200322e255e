package dev.modelyard.wire.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.json.WireJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The light codec against the full binding: same records read, same JSON written, or declined. */
class DdiJsonTest {

    private final ObjectMapper json = WireJson.mapper();

    @ParameterizedTest
    @ValueSource(strings = {
            // nothing to do (hawkBit's documented answer, and the one Modelyard's cached poll sends)
            "{\"config\":{\"polling\":{\"sleep\":\"00:05:00\"}}}",
            // a deployment and configData asked for, hrefs with query strings and escapes
            "{\"config\":{\"polling\":{\"sleep\":\"12:00:00\"}},\"_links\":{\"deploymentBase\":{\"href\":"
                    + "\"https://hawkbit.example/DEFAULT/controller/v1/dev-1/deploymentBase/3?c=-2129030598\"},"
                    + "\"configData\":{\"href\":\"https://hawkbit.example/DEFAULT/controller/v1/dev-1/configData\"}}}",
            // a cancel, the installed base, whitespace and unknown fields a newer server may add
            "{ \"config\" : { \"polling\" : { \"sleep\" : \"00:00:30\", \"jitter\": true } },\n \"_links\" : {"
                    + " \"cancelAction\" : { \"href\" : \"http://h/t/controller/v1/d/cancelAction/5\", \"templated\": false },"
                    + " \"installedBase\" : { \"href\" : \"http://h/t/controller/v1/d/installedBase/4\" } }, \"extra\": [1, null, \"x\\u00e9\"] }",
            // absent and null parts
            "{}",
            "{\"config\":null,\"_links\":null}",
            "{\"config\":{},\"_links\":{}}",
            "{\"config\":{\"polling\":{}}}",
    })
    void readsThePollAnswersAsTheBindingDoes(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ControllerBase light = DdiJson.readControllerBase(bytes).orElseThrow();
        assertEquals(json.readValue(bytes, ControllerBase.class), light);
    }

    @Test
    void readsWhatTheServerWrites() throws Exception {
        Map<String, Link> links = new LinkedHashMap<>();
        links.put(Links.DEPLOYMENT_BASE, new Link("http://127.0.0.1:8080/default/controller/v1/d1/deploymentBase/7?c=1"));
        links.put(Links.CONFIG_DATA, new Link("http://127.0.0.1:8080/default/controller/v1/d1/configData"));
        for (ControllerBase sent : List.of(ControllerBase.of(Duration.ofMinutes(5), null), ControllerBase.of(Duration.ofSeconds(5), links))) {
            assertEquals(sent, DdiJson.readControllerBase(json.writeValueAsBytes(sent)).orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"config\":{\"polling\":{\"sleep\":300}}}",          // a number where hawkBit writes text: the binding coerces
            "{\"config\":{\"polling\":{\"sleep\":\"00:05:00\"}},\"weight\":0.5}", // a fraction the strict parser refuses
            "{\"_links\":{\"a\":{\"href\":\"x\"},\"a\":{\"href\":\"y\"}}}",     // duplicate keys
            "{\"_links\":[]}",
            "[]",
            "not json",
    })
    void declinesWhatItCannotReadExactly(String body) {
        assertTrue(DdiJson.readControllerBase(body.getBytes(StandardCharsets.UTF_8)).isEmpty(), body);
    }

    @Test
    void writesConfigDataAsTheBindingDoes() throws Exception {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL);
        attributes.put(DeviceAttributes.ARCH, "x86_64");
        attributes.put("site", "Zürich \"north\" \\ line\nbreak \u0001");
        attributes.put("empty", "");
        for (ConfigData c : List.of(new ConfigData(attributes, "merge"), new ConfigData(Map.of("k", ""), "remove"),
                new ConfigData(Map.of(), null))) {
            byte[] light = DdiJson.write(c).orElseThrow();
            assertSameJson(json.writeValueAsBytes(c), light);
            assertEquals(c, json.readValue(light, ConfigData.class));
        }
    }

    @Test
    void writesFeedbackAsTheBindingDoes() throws Exception {
        Feedback.Transfer full = new Feedback.Transfer("kws.onnx", Feedback.Transfer.FULL, null, null, 1_048_576, 1_048_576, null);
        Feedback.Transfer delta = new Feedback.Transfer("big.onnx", Feedback.Transfer.DELTA, "onnx-tensors", "ab".repeat(32),
                7_300_000, 105_000_000, null);
        List<Feedback> bodies = List.of(
                Feedback.of(Feedback.Execution.PROCEEDING, Feedback.Finished.NONE, List.of("installing kws 1.0.0")),
                Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.FAILURE, List.of("refused: \"bad\" signature", "é ✓")),
                Feedback.of(Feedback.Execution.DOWNLOADED, Feedback.Finished.NONE, List.of("downloaded"), null, List.of(full, delta)),
                // the older hawkBit form, a code and progress
                new Feedback("42", "20140511T121314", null, new Feedback.Status("proceeding",
                        new Feedback.Result("none", new Feedback.Progress(2, 5)), 17, List.of())),
                new Feedback(null, null, 1L, new Feedback.Status("closed", null, null, null)));
        for (Feedback f : bodies) {
            byte[] light = DdiJson.write(f).orElseThrow();
            assertSameJson(json.writeValueAsBytes(f), light);
            assertEquals(f, json.readValue(light, Feedback.class));
        }
    }

    @Test
    void leavesServingHealthAndLoneSurrogatesToTheBinding() {
        ServingHealth health = new ServingHealth("kws", "1.0.0", "0.9.0", 600, 100, 0, 1.5, 3.25, 3.0, 1.08, "passed", true);
        assertTrue(DdiJson.write(Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, List.of("ok"), List.of(health)))
                .isEmpty());
        assertTrue(DdiJson.write(Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, List.of("half \ud800")))
                .isEmpty());
        assertTrue(DdiJson.write(new ConfigData(Map.of("k", "\udc00"), "merge")).isEmpty());
    }

    /** The same JSON value (field order aside: JSON objects have none). */
    private void assertSameJson(byte[] expected, byte[] actual) throws Exception {
        JsonNode e = json.readTree(expected);
        JsonNode a = json.readTree(actual);
        assertEquals(e, a, new String(actual, StandardCharsets.UTF_8));
    }
}
