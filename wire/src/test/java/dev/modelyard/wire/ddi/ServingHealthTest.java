package dev.modelyard.wire.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.json.WireJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingHealthTest {

    private static final ObjectMapper JSON = WireJson.mapper();

    private static ServingHealth sample() {
        return new ServingHealth("kws", "1.1.0", "1.0.0", 42, 1000, 3, 4.5, 12.0, 10.0, 1.2, "passed", false);
    }

    @Test
    void feedbackWithHealthRoundTrips() throws Exception {
        Feedback f = Feedback.of(Feedback.Execution.PROCEEDING, Feedback.Finished.NONE, List.of("watching"), List.of(sample()));
        String json = JSON.writeValueAsString(f);
        JsonNode tree = JSON.readTree(json);
        JsonNode h = tree.get("modelyardHealth").get(0);
        assertEquals("kws", h.get("model").asText());
        assertEquals("1.0.0", h.get("replacedVersion").asText());
        assertEquals(1000, h.get("requests").asLong());
        assertEquals(1.2, h.get("p99Ratio").asDouble());
        assertEquals("passed", h.get("selfTest").asText());
        assertFalse(h.get("complete").asBoolean());
        assertEquals(f, JSON.readValue(json, Feedback.class));
    }

    @Test
    void stockFeedbackHasNoHealthAndStaysAsItWas() throws Exception {
        Feedback f = Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, List.of("done"));
        String json = JSON.writeValueAsString(f);
        assertFalse(json.contains("modelyardHealth"), json);
        Feedback read = JSON.readValue("""
                {"id":"1","time":"20140511T121314","status":{"execution":"closed","result":{"finished":"success"}}}""",
                Feedback.class);
        assertNull(read.modelyardHealth());
        assertTrue(read.health().isEmpty());
        assertEquals("20140511T121314", read.time());
    }

    @Test
    void absentOptionalFiguresReadAsNull() throws Exception {
        ServingHealth h = JSON.readValue("""
                {"model":"kws","version":"2.0.0","servedSeconds":0,"requests":0,"errors":0,"selfTest":"none","complete":false,
                 "futureField":1}""", ServingHealth.class);
        assertNull(h.replacedVersion());
        assertNull(h.p99Ms());
        assertNull(h.p99Ratio());
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        String out = JSON.writeValueAsString(h);
        assertFalse(out.contains("p99Ms"), out);
        assertEquals(h, JSON.readValue(out, ServingHealth.class));
    }

    @Test
    void impossibleFiguresAreNamed() {
        assertTrue(sample().problems().isEmpty());
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 5, 6, null, null, null, null, "none", false), "errors: 6 is more than");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, -1, 0, null, null, null, null, "none", false), "requests: must not be negative");
        assertProblem(new ServingHealth("kws", "1.1.0", null, -1, 1, 0, null, null, null, null, "none", false), "servedSeconds");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 1, 0, null, Double.NaN, null, null, "none", false), "p99Ms: NaN");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 1, 0, -2.0, 3.0, null, null, "none", false), "p50Ms: -2.0");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 1, 0, 9.0, 3.0, null, null, "none", false), "is above p99Ms");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 1, 0, null, null, null, Double.POSITIVE_INFINITY, "none", false), "p99Ratio");
        assertProblem(new ServingHealth("kws", "1.1.0", null, 1, 1, 0, null, null, null, null, "maybe", false), "selfTest: 'maybe'");
        assertProblem(new ServingHealth(null, "1.1.0", null, 1, 1, 0, null, null, null, null, "none", false), "model: is required");
    }

    @Test
    void selfTestAndRatio() {
        assertEquals(ServingHealth.SelfTest.NONE, ServingHealth.SelfTest.parse(null));
        assertEquals(ServingHealth.SelfTest.FAILED, ServingHealth.SelfTest.parse("Failed"));
        assertThrows(IllegalArgumentException.class, () -> ServingHealth.SelfTest.parse("ok"));
        assertEquals(2.0, ServingHealth.ratio(20.0, 10.0));
        assertNull(ServingHealth.ratio(20.0, 0.0));
        assertNull(ServingHealth.ratio(null, 10.0));
    }

    private static void assertProblem(ServingHealth h, String expected) {
        assertTrue(h.problems().stream().anyMatch(p -> p.contains(expected)), h.problems() + " should name " + expected);
    }
}
