package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.modelyard.server.Api;
import dev.modelyard.wire.ddi.DeviceAttributes;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** hawkBit's wire details besides the happy path: Date, CBOR, 406, and assignments a device would refuse. */
@QuarkusTest
class DdiWireDetailsTest {

    private static final String HTTP_DATE = "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT";

    @Test
    void answersCarryADateAndCborOr406() throws Exception {
        DdiFlowTest.Dev d = DdiFlowTest.device("wire");
        d.as().get(d.path()).then().statusCode(200).header("Date", matchesPattern(HTTP_DATE));
        io.restassured.RestAssured.given().get(d.path()).then().statusCode(401).header("Date", matchesPattern(HTTP_DATE));

        Response cbor = d.as().accept("application/cbor").get(d.path());
        cbor.then().statusCode(200).contentType("application/cbor");
        JsonNode tree = new CBORMapper().readTree(cbor.asByteArray());
        assertTrue(tree.path("config").path("polling").path("sleep").asText().matches("\\d{2}:\\d{2}:\\d{2}"), tree.toString());
        assertTrue(tree.path("_links").path("configData").path("href").asText().endsWith(d.path() + "/configData"));
        // Its ETag is of the CBOR bytes: a conditional poll in CBOR is answered 304.
        d.as().accept("application/cbor").header("If-None-Match", cbor.header("ETag")).get(d.path()).then().statusCode(304);

        d.as().accept("text/html").get(d.path()).then().statusCode(406).body(emptyString());
        d.as().accept("application/xml, text/plain").get(d.path()).then().statusCode(406);
        d.as().accept("text/html, */*;q=0.1").get(d.path()).then().statusCode(200).contentType("application/hal+json");
        d.as().accept("application/cbor;q=0.5, application/json").get(d.path()).then().statusCode(200)
                .contentType("application/json");
    }

    @Test
    void aStockClientGetsOneArtifactPerChunk() {
        String model = DdiFlowTest.publishedModel("1.0.0", Api.onnxModel(31), Api.onnxModel(32));
        DdiFlowTest.Dev stock = DdiFlowTest.device("stock");
        DdiFlowTest.report(stock, DdiFlowTest.x86(""));
        long action = DdiFlowTest.assign(model, "1.0.0", stock, "forced").getLong("actions[0].id");
        io.restassured.path.json.JsonPath dep = stock.as().accept("application/json")
                .get(stock.path() + "/deploymentBase/" + action).then().statusCode(200).extract().jsonPath();
        assertEquals(1, dep.getList("deployment.chunks").size());
        assertEquals(java.util.List.of("m-cpu.onnx"), dep.getList("deployment.chunks[0].artifacts.filename"));
        String download = dep.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        String list = download.substring(0, download.lastIndexOf('/'));
        stock.as().accept("application/json").get(list).then().statusCode(200)
                .body("filename", equalTo(java.util.List.of("m-cpu.onnx")));
        // The signed metadata is not announced to it, but stays downloadable (a client may know the rule).
        stock.as().get(download + ".release.json").then().statusCode(200).body(containsString("\"signatures\""));

        // Announcing Modelyard's updater adds the signed metadata to the same deployment.
        DdiFlowTest.report(stock, Map.of(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL));
        stock.as().accept("application/json").get(stock.path() + "/deploymentBase/" + action).then().statusCode(200)
                .body("deployment.chunks[0].artifacts.filename", equalTo(java.util.List.of("m-cpu.onnx", "m-cpu.onnx.release.json")));
    }

    /** What Modelyard's updater reported before it announced itself with modelyard.updater. */
    static Map<String, String> updaterBeforeTheAnnouncement() {
        return Map.of("arch", "x86_64", "os", "linux", "cpu.features", "sse4_2,avx,avx2", "cpu.cores", "4",
                "accelerators", "", "runtime.onnxruntime", "1.20.0", "memory.mb", "7800", "disk.free.mb", "51200");
    }

    @Test
    void anUpdaterOlderThanItsAnnouncementStillGetsTheSignedFiles() {
        String model = DdiFlowTest.publishedModel("1.0.0", Api.onnxModel(33), Api.onnxModel(34));
        DdiFlowTest.Dev old = DdiFlowTest.device("old-updater");
        DdiFlowTest.report(old, updaterBeforeTheAnnouncement());
        long action = DdiFlowTest.assign(model, "1.0.0", old, "forced").getLong("actions[0].id");
        io.restassured.path.json.JsonPath dep = old.as().accept("application/json")
                .get(old.path() + "/deploymentBase/" + action).then().statusCode(200).extract().jsonPath();
        java.util.List<String> withSignedFiles = java.util.List.of("m-cpu.onnx", "m-cpu.onnx.release.json");
        assertEquals(withSignedFiles, dep.getList("deployment.chunks[0].artifacts.filename"));
        String download = dep.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        old.as().accept("application/json").get(download.substring(0, download.lastIndexOf('/'))).then().statusCode(200)
                .body("filename", equalTo(withSignedFiles));

        // A stock client (rauc-hawkbit-updater's attributes) still gets the payload alone.
        String bundle = RaucHawkbitUpdaterTest.bundleVersion(Api.randomBytes(2_000, 35));
        DdiFlowTest.Dev stock = DdiFlowTest.device("rauc-attrs");
        DdiFlowTest.report(stock, Map.of("product", "Terminator", "serialnumber", "8922673153", "runtime.raucb", "1.0",
                "model", "T-1000", "hw_revision", "2", "mac_address", "ff:ff:ff:ff:ff:ff"));
        long stockAction = DdiFlowTest.assign(bundle, "1.0.0", stock, "forced").getLong("actions[0].id");
        io.restassured.path.json.JsonPath stockDep = stock.as().accept("application/json")
                .get(stock.path() + "/deploymentBase/" + stockAction).then().statusCode(200).extract().jsonPath();
        assertEquals(1, stockDep.getList("deployment.chunks").size());
        assertEquals(java.util.List.of("bundle.raucb"), stockDep.getList("deployment.chunks[0].artifacts.filename"));
        String stockDownload = stockDep.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        stock.as().accept("application/json").get(stockDownload.substring(0, stockDownload.lastIndexOf('/')))
                .then().statusCode(200).body("filename", equalTo(java.util.List.of("bundle.raucb")));
    }

    @Test
    void refusesAReleaseCounterTheUpdaterWouldRefuse() {
        String m = Api.createModel("rb");
        for (String v : new String[]{"1.0.0", "1.1.0"}) {
            Api.createVersion(m, v);
            Api.upload(m, v, "m.onnx", Api.onnxModel(v.hashCode()), null).then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        DdiFlowTest.Dev updater = DdiFlowTest.device("rb-updater");
        DdiFlowTest.Dev old = DdiFlowTest.device("rb-old-updater");
        DdiFlowTest.Dev stock = DdiFlowTest.device("rb-stock");
        DdiFlowTest.report(updater, Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0",
                DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL));
        DdiFlowTest.report(old, updaterBeforeTheAnnouncement());
        DdiFlowTest.report(stock, DdiFlowTest.x86(""));
        for (DdiFlowTest.Dev d : new DdiFlowTest.Dev[]{updater, old, stock}) {
            long action = DdiFlowTest.assign(m, "1.1.0", d, "forced").getLong("actions[0].id");
            d.as().contentType(ContentType.JSON).body(DdiFlowTest.feedback("closed", "success", "installed"))
                    .post(d.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        }

        // One device named: the assignment is refused for it, and nothing is written.
        for (Object selector : new Object[]{updater.id(), java.util.List.of(updater.id())}) {
            publisher().contentType(ContentType.JSON).body(Map.of("model", m, "version", "1.0.0",
                            selector instanceof String ? "device" : "devices", selector, "type", "forced"))
                    .post("/api/v1/deployments").then().statusCode(409).contentType("application/problem+json")
                    .body("code", equalTo("release-counter-rollback"))
                    .body("detail", containsString(updater.id() + " runs 1.1.0 (release 2)"));
        }
        viewer().queryParam("device", updater.id()).get("/api/v1/actions").then().statusCode(200).body("total", equalTo(1));

        // Several devices: those whose updater would refuse are recorded as failed with the reason
        // (an updater older than the announcement included), the stock client gets its action.
        io.restassured.path.json.JsonPath several = publisher().contentType(ContentType.JSON).body(Map.of("model", m,
                        "version", "1.0.0", "devices", java.util.List.of(stock.id(), updater.id(), old.id()), "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201)
                .body("assigned", equalTo(1)).body("failed", equalTo(2)).body("alreadyAssigned", equalTo(0))
                .extract().jsonPath();
        for (DdiFlowTest.Dev refused : new DdiFlowTest.Dev[]{updater, old}) {
            Map<String, Object> view = several.getMap("actions.find { it.device == '" + refused.id() + "' }");
            assertEquals("error", view.get("status"), view.toString());
            assertEquals(false, view.get("active"), view.toString());
            assertTrue(String.valueOf(view.get("reason")).contains(refused.id() + " runs 1.1.0 (release 2)"), view.toString());
            assertEquals(null, (Object) DdiFlowTest.poll(refused).get("_links.deploymentBase"), "nothing is offered to " + refused.id());
            java.util.List<java.util.List<String>> history = viewer().get("/api/v1/actions/{id}/status", view.get("id"))
                    .then().statusCode(200).extract().jsonPath().getList("messages");
            assertTrue(history.toString().contains("rollback authorization"), history.toString());
        }
        assertEquals("running", several.getString("actions.find { it.device == '" + stock.id() + "' }.status"));
        // A stock client checks no release counters: hawkBit lets it go back, and so does Modelyard.
        assertTrue(DdiFlowTest.poll(stock).getString("_links.deploymentBase.href").contains("/deploymentBase/"));
        // The same version again, or a newer one, is no rollback.
        DdiFlowTest.assign(m, "1.1.0", updater, "forced");
    }
}
