package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.wire.ddi.DeviceAttributes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The transfer figures Modelyard's updater reports with its feedback ({@code modelyardTransfers}):
 * kept on the action (the newest report wins), one line of the action's history per report, shown
 * on the action; impossible figures refused as unreadable feedback, with nothing recorded, unless
 * the feedback closes the action: then they are dropped and the close is applied.
 */
@QuarkusTest
class DdiTransferTest {

    private static final int SIZE = 20_000;
    private static final String BASE = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";

    private record Setup(DdiFlowTest.Dev device, long action) {
    }

    private static Setup assigned(String version) {
        String m = Api.createModel("xfer");
        Api.createVersion(m, version);
        Api.upload(m, version, "m.onnx", Api.onnxModel(SIZE, 77), null).then().statusCode(201);
        DdiFlowTest.publish(m, version);
        return assigned(m, version);
    }

    /** Another device of the model's published version, with an action. */
    private static Setup assigned(String m, String version) {
        DdiFlowTest.Dev d = DdiFlowTest.device("xfer");
        Map<String, String> attributes = new HashMap<>(DdiFlowTest.x86(""));
        attributes.put(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL);
        attributes.put(DeviceAttributes.DELTA, DeviceAttributes.DELTA_FORMATS);
        DdiFlowTest.report(d, attributes);
        return new Setup(d, DdiFlowTest.assign(m, version, d, "forced").getLong("actions[0].id"));
    }

    private static String feedback(String execution, String finished, String... transfers) {
        return "{\"timestamp\":1700000000000,\"status\":{\"execution\":\"" + execution + "\",\"result\":{\"finished\":\""
                + finished + "\"},\"details\":[\"step\"]},\"modelyardTransfers\":[" + String.join(",", transfers) + "]}";
    }

    private static String transfer(String file, String kind, String method, String base, long bytes, long fullSize,
                                   String fallback) {
        StringBuilder b = new StringBuilder("{\"file\":\"" + file + "\",\"kind\":\"" + kind + "\"");
        if (method != null) b.append(",\"method\":\"").append(method).append('"');
        if (base != null) b.append(",\"base\":\"").append(base).append('"');
        b.append(",\"bytes\":").append(bytes).append(",\"fullSize\":").append(fullSize);
        if (fallback != null) b.append(",\"fallback\":\"").append(fallback).append('"');
        return b.append('}').toString();
    }

    private static ValidatableResponse post(Setup s, String body) {
        return s.device().as().contentType(ContentType.JSON).body(body)
                .post(s.device().path() + "/deploymentBase/" + s.action() + "/feedback").then();
    }

    private static List<String> history(long action) {
        return viewer().get("/api/v1/actions/{id}/status", action).then().statusCode(200).extract().jsonPath()
                .getList("messages.flatten()");
    }

    @Test
    void transfersAreKeptOnTheActionNewestFirstAndWrittenToItsHistory() {
        Setup s = assigned("1.0.0");
        // A stock body: no transfer member on the action.
        post(s, DdiFlowTest.feedback("proceeding", "none", "downloading")).statusCode(200).body(emptyString());
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200).body("transfer", nullValue());

        post(s, feedback("downloaded", "none", transfer("m.onnx", "delta", "onnx-tensors", BASE, 1460, SIZE, null)))
                .statusCode(200).body(emptyString());
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200)
                .body("status", equalTo("downloaded"))
                .body("transfer.kind", equalTo("delta"))
                .body("transfer.method", equalTo("onnx-tensors"))
                .body("transfer.bytes", equalTo(1460))
                .body("transfer.fullBytes", equalTo(SIZE))
                .body("transfer.savedBytes", equalTo(SIZE - 1460))
                .body("transfer.savedPct", equalTo(92.7f))
                .body("transfer.fallback", nullValue());
        assertTrue(history(s.action()).contains("transfer: delta (onnx-tensors) 1.5 kB of 20.0 kB downloaded, 93 % saved"),
                history(s.action()).toString());

        // The same report again (the first answer was lost, say): no second line.
        post(s, feedback("proceeding", "none", transfer("m.onnx", "delta", "onnx-tensors", BASE, 1460, SIZE, null)))
                .statusCode(200);
        assertEquals(1, history(s.action()).stream().filter(l -> l.startsWith("transfer: ")).count());

        // The closing report says the delta failed and the full file came after it: it replaces the first.
        post(s, feedback("closed", "success",
                transfer("m.onnx", "FULL", null, BASE.toUpperCase(), SIZE + 1460, SIZE, "target mismatch"))).statusCode(200);
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200)
                .body("status", equalTo("finished"))
                .body("transfer.kind", equalTo("full"))
                .body("transfer.method", nullValue())
                .body("transfer.bytes", equalTo(SIZE + 1460))
                .body("transfer.savedBytes", equalTo(-1460))
                .body("transfer.savedPct", equalTo(-7.3f))
                .body("transfer.fallback", equalTo("delta from 1f2e3d4c5b6a… failed: target mismatch"));
        List<String> lines = history(s.action());
        assertTrue(lines.contains("transfer: full 21.5 kB of 20.0 kB downloaded, 7 % more than the full file "
                + "(delta from 1f2e3d4c5b6a… failed: target mismatch)"), lines.toString());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("transfer: ")).count(), lines.toString());
        // Lists show it too: it is a column of the action, not a separate read.
        viewer().get("/api/v1/actions?device={d}", s.device().id()).then().statusCode(200)
                .body("items[0].transfer.kind", equalTo("full"));
    }

    @Test
    void aFullDownloadReadsAsOneFigure() {
        Setup s = assigned("1.1.0");
        post(s, feedback("closed", "success", transfer("m.onnx", "full", null, null, SIZE, SIZE, null))).statusCode(200);
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200)
                .body("transfer.kind", equalTo("full")).body("transfer.savedBytes", equalTo(0)).body("transfer.savedPct", equalTo(0.0f));
        assertTrue(history(s.action()).contains("transfer: full 20.0 kB"), history(s.action()).toString());
    }

    @Test
    void impossibleTransfersAreRefusedOnFeedbackThatLeavesTheActionOpenAndNothingIsRecorded() {
        Setup s = assigned("2.0.0");
        String ok = transfer("m.onnx", "compressed", "planes", null, 100, SIZE, null);
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(transfer("m.onnx", "teleport", null, null, 1, SIZE, null), "modelyardTransfers.kind: 'teleport'");
        refused.put(transfer("m.onnx", "full", null, null, -1, SIZE, null), "modelyardTransfers.bytes: must not be negative");
        refused.put(transfer("m.onnx", "full", null, null, 1, -5, null), "modelyardTransfers.fullSize: must not be negative");
        refused.put(transfer("", "full", null, null, 1, SIZE, null), "modelyardTransfers.file: is required");
        refused.put(transfer("m.onnx", "delta", "cdc", "abc", 1, SIZE, null), "modelyardTransfers.base: 'abc' is not a SHA-256");
        refused.put(transfer("m.onnx", "delta", "cdc", null, 1, SIZE, null), "a delta names the file it was applied to");
        refused.put(transfer("m.onnx", "delta", "x".repeat(65), BASE, 1, SIZE, null), "modelyardTransfers.method: at most 64");
        refused.put(transfer("m.onnx", "full", null, null, 1, SIZE, "y".repeat(2001)), "modelyardTransfers.fallback: at most 2000");
        refused.put(transfer("other.onnx", "full", null, null, 1, SIZE, null), "'other.onnx' is not the action's payload 'm.onnx'");
        refused.put(transfer("m.onnx", "full", null, null, 1, SIZE - 1, null),
                "modelyardTransfers.fullSize: " + (SIZE - 1) + " is not the size of m.onnx (" + SIZE + " bytes)");
        refused.put(ok + "," + ok, "'m.onnx' is reported twice");
        refused.put("null", "modelyardTransfers: an entry is null");
        refused.put(String.join(",", java.util.Collections.nCopies(9, ok)), "at most 8 entries");
        for (Map.Entry<String, String> r : refused.entrySet()) {
            post(s, feedback("downloaded", "none", r.getKey())).statusCode(400).contentType(ContentType.JSON)
                    .body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"))
                    .body("message", containsString(r.getValue()));
        }
        post(s, feedback("downloaded", "none", "{\"file\":\"m.onnx\",\"kind\":\"full\",\"bytes\":\"many\",\"fullSize\":1}"))
                .statusCode(400).body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"));

        // None of them closed the action, stored a figure or wrote a history line.
        JsonPath action = viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200).extract().jsonPath();
        assertEquals("running", action.getString("status"));
        assertNull(action.get("transfer"));
        assertFalse(history(s.action()).stream().anyMatch(l -> l.startsWith("transfer: ")));
        post(s, feedback("closed", "success", ok)).statusCode(200);
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200)
                .body("status", equalTo("finished")).body("transfer.kind", equalTo("compressed"))
                .body("transfer.method", equalTo("planes")).body("transfer.savedPct", equalTo(99.5f));
    }

    @Test
    void impossibleTransfersOnAClosingFeedbackAreDroppedAndTheActionCloses() {
        // Every entry impossible, each in its own way: the action still closes, with no figure and no transfer line.
        Setup s = assigned("3.0.0");
        post(s, feedback("closed", "success", transfer("m.onnx", "teleport", null, null, 1, SIZE, null), "null",
                transfer("other.onnx", "full", null, null, 1, SIZE, null),
                transfer("m.onnx", "full", null, null, 1, SIZE - 1, null))).statusCode(200).body(emptyString());
        JsonPath action = viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200).extract().jsonPath();
        assertEquals("finished", action.getString("status"));
        assertNull(action.get("transfer"));
        List<String> lines = history(s.action());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("transfer: ")), lines.toString());
        assertTrue(lines.contains("step"), lines.toString());

        // The one believable entry among impossible ones is kept; the others are dropped.
        Setup kept = assigned("3.1.0");
        post(kept, feedback("closed", "failure", transfer("m.onnx", "delta", "cdc", "abc", 1, SIZE, null),
                transfer("m.onnx", "compressed", "planes", null, 100, SIZE, null))).statusCode(200);
        viewer().get("/api/v1/actions/{id}", kept.action()).then().statusCode(200)
                .body("status", equalTo("error")).body("transfer.kind", equalTo("compressed")).body("transfer.bytes", equalTo(100));

        // More entries than allowed, and the payload twice: neither figure can be chosen, the close still applies.
        Setup twice = assigned("3.2.0");
        String ok = transfer("m.onnx", "full", null, null, SIZE, SIZE, null);
        post(twice, feedback("closed", "success", String.join(",", java.util.Collections.nCopies(9, ok)))).statusCode(200);
        viewer().get("/api/v1/actions/{id}", twice.action()).then().statusCode(200)
                .body("status", equalTo("finished")).body("transfer", nullValue());
    }

    @Test
    void aLongFallbackIsCutToTheLengthOfAHistoryMessage() {
        Setup s = assigned("4.0.0");
        String why = "y".repeat(2000);
        post(s, feedback("closed", "success", transfer("m.onnx", "full", null, BASE, SIZE, SIZE, why))).statusCode(200);
        List<String> lines = history(s.action()).stream().filter(l -> l.startsWith("transfer: ")).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertEquals(2000, lines.get(0).length());
        assertTrue(lines.get(0).startsWith("transfer: full 20.0 kB (delta from 1f2e3d4c5b6a… failed: yyy"), lines.get(0));
        // The action keeps the whole reason.
        viewer().get("/api/v1/actions/{id}", s.action()).then().statusCode(200)
                .body("transfer.fallback", equalTo("delta from 1f2e3d4c5b6a… failed: " + why));
    }

    @Test
    void aVersionSumsTheFiguresOfAllItsActions() {
        String m = Api.createModel("xfer-sum");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "m.onnx", Api.onnxModel(SIZE, 77), null).then().statusCode(201);
        DdiFlowTest.publish(m, "1.0.0");
        String totals = "/api/v1/models/{m}/versions/{v}/transfers";
        viewer().get(totals, m, "1.0.0").then().statusCode(200)
                .body("reported", equalTo(0)).body("bytes", equalTo(0)).body("savedPct", nullValue())
                .body("byKind.delta", equalTo(0));

        Setup delta = assigned(m, "1.0.0");
        Setup full = assigned(m, "1.0.0");
        Setup silent = assigned(m, "1.0.0");
        post(delta, feedback("closed", "success", transfer("m.onnx", "delta", "cdc", BASE, 1000, SIZE, null))).statusCode(200);
        post(full, feedback("downloaded", "none", transfer("m.onnx", "full", null, null, SIZE, SIZE, null))).statusCode(200);
        post(silent, DdiFlowTest.feedback("closed", "success", "done")).statusCode(200);

        viewer().get(totals, m, "1.0.0").then().statusCode(200)
                .body("reported", equalTo(2))
                .body("bytes", equalTo(SIZE + 1000))
                .body("fullBytes", equalTo(2 * SIZE))
                .body("savedBytes", equalTo(SIZE - 1000))
                .body("savedPct", equalTo(47.5f))
                .body("byKind.full", equalTo(1)).body("byKind.compressed", equalTo(0)).body("byKind.delta", equalTo(1));
        viewer().get(totals, m, "9.9.9").then().statusCode(404).body("code", equalTo("version-not-found"));
        viewer().get(totals, "no-such-model-xfer", "1.0.0").then().statusCode(404).body("code", equalTo("model-not-found"));
    }
}
