package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.device.LastSeen;
import dev.modelyard.wire.ddi.DeviceAttributes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drives the DDI API over HTTP the way a hawkBit device client does. */
@QuarkusTest
class DdiFlowTest {

    static final String X86_CUDA = "x86_64";

    @Inject
    LastSeen lastSeen;

    @Inject
    io.agroal.api.AgroalDataSource db;

    record Dev(String id, String token) {
        RequestSpecification as() {
            return given().header("Authorization", "TargetToken " + token);
        }

        String path() {
            return "/DEFAULT/controller/v1/" + id;
        }
    }

    static Dev device(String prefix) {
        String id = Api.uniqueName(prefix);
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id, "tags", List.of("fleet-a")))
                .post("/api/v1/devices").then().statusCode(201)
                .body("controllerId", equalTo(id)).body("status", equalTo("unknown")).body("token", startsWith("mydt_"))
                .extract().path("token");
        return new Dev(id, token);
    }

    static void report(Dev d, Map<String, String> attributes) {
        d.as().contentType("application/json; charset=UTF-8").body(Map.of("mode", "merge", "data", attributes))
                .put(d.path() + "/configData").then().statusCode(200).body(emptyString());
    }

    static Map<String, String> x86(String accelerators) {
        return Map.of("arch", "x86_64", "accelerators", accelerators, "runtime.onnxruntime", "1.20.0", "memory.mb", "8192",
                "os", "linux", "hwRevision", "3");
    }

    /** A published version with cpu, cuda and aarch64 artifacts; returns the model name. */
    static String publishedModel(String version, byte[] cpu, byte[] cuda) {
        String m = Api.createModel("ddi");
        Api.createVersion(m, version);
        upload(m, version, "m-cpu.onnx", cpu, "arch=x86_64&precision=fp32");
        upload(m, version, "m-cuda.onnx", cuda, "arch=x86_64&accelerator=cuda&precision=fp16");
        upload(m, version, "m-arm.onnx", Api.onnxModel(9), "arch=aarch64");
        publish(m, version);
        return m;
    }

    static void upload(String m, String v, String file, byte[] bytes, String query) {
        Api.upload(m, v, file, bytes, query).then().statusCode(201);
    }

    static void publish(String m, String v) {
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
    }

    static JsonPath assign(String model, String version, Dev d, String type) {
        return publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", version, "device", d.id(), "type", type))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
    }

    static JsonPath poll(Dev d) {
        return d.as().accept("application/hal+json").get(d.path()).then().statusCode(200)
                .contentType("application/hal+json").extract().jsonPath();
    }

    static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    static String feedback(String execution, String finished, String... details) {
        return "{\"timestamp\":1700000000000,\"status\":{\"execution\":\"" + execution + "\",\"result\":{\"finished\":\""
                + finished + "\"},\"details\":[" + String.join(",", Arrays.stream(details).map(s -> "\"" + s + "\"").toList())
                + "]}}";
    }

    @Test
    void fullDeploymentOverDdi() throws Exception {
        byte[] cpu = Api.onnxModel(3000, 1);
        byte[] cuda = Api.onnxModel(5000, 2);
        String model = publishedModel("1.0.0", cpu, cuda);
        Dev d = device("dev");

        // First poll: only configData is asked for; the answer is cacheable by ETag. A new device
        // polls every 10 s until its first model is installed.
        Response first = d.as().accept("application/hal+json").get(d.path());
        first.then().statusCode(200).contentType("application/hal+json")
                .header("Cache-Control", containsString("no-store"))
                .body("config.polling.sleep", equalTo("00:00:10"))
                .body("_links.configData.href", endsWith(d.path() + "/configData"))
                .body("_links.deploymentBase", nullValue());
        String etag = first.header("ETag");
        assertTrue(etag.matches("\"0[0-9a-f]{32}\""), etag);
        d.as().header("If-None-Match", etag).get(d.path()).then().statusCode(304).header("ETag", etag);
        // No Accept header, or plain JSON: same answer, hawkBit's media types.
        d.as().get(d.path()).then().statusCode(200).contentType("application/hal+json");
        d.as().accept("application/json").get(d.path()).then().statusCode(200).contentType("application/json");

        report(d, x86("cuda"));
        JsonPath p = poll(d);
        assertNull((Object) p.get("_links"));

        JsonPath assignment = assign(model, "1.0.0", d, "forced");
        assertEquals(1, assignment.getInt("assigned"));
        assertEquals("running", assignment.getString("actions[0].status"));
        assertEquals("m-cuda.onnx", assignment.getString("actions[0].artifact.filename"));
        long actionId = assignment.getLong("actions[0].id");
        publisher().get("/api/v1/devices/{d}", d.id()).then().statusCode(200).body("status", equalTo("pending"));
        // As Modelyard's updater does: it announces itself, so its chunks carry the signed metadata.
        report(d, Map.of(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL));

        Response polled = d.as().accept("application/hal+json").get(d.path());
        polled.then().statusCode(200);
        assertNotEquals(etag, polled.header("ETag"));
        String href = polled.jsonPath().getString("_links.deploymentBase.href");
        assertTrue(href.matches(".*" + d.path() + "/deploymentBase/" + actionId + "\\?c=\\d+"), href);

        JsonPath dep = d.as().accept("application/hal+json").get(href).then().statusCode(200)
                .contentType("application/hal+json").header("ETag", notNullValue())
                .body("id", equalTo(Long.toString(actionId)))
                .body("deployment.download", equalTo("forced"))
                .body("deployment.update", equalTo("forced"))
                .body("deployment.chunks", hasSize(1))
                .body("deployment.chunks[0].part", equalTo("bApp"))
                .body("deployment.chunks[0].name", equalTo(model))
                .body("deployment.chunks[0].version", equalTo("1.0.0"))
                .body("deployment.chunks[0].artifacts", hasSize(2))
                .body("deployment.chunks[0].metadata.find { it.key == 'accelerator' }.value", equalTo("cuda"))
                .body("deployment.chunks[0].metadata.find { it.key == 'model' }.value", equalTo(model))
                .body("actionHistory", nullValue())
                .extract().jsonPath();
        Map<String, Object> file = dep.getMap("deployment.chunks[0].artifacts[0]");
        assertEquals("m-cuda.onnx", file.get("filename"));
        assertEquals(5000, file.get("size"));
        assertEquals(hex("SHA-256", cuda), dep.getString("deployment.chunks[0].artifacts[0].hashes.sha256"));
        assertEquals(hex("SHA-1", cuda), dep.getString("deployment.chunks[0].artifacts[0].hashes.sha1"));
        assertEquals(hex("MD5", cuda), dep.getString("deployment.chunks[0].artifacts[0].hashes.md5"));
        String download = dep.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        // Asked over plain HTTP: only the plain links, as hawkBit (download/md5sum are the HTTPS ones).
        assertNull(dep.get("deployment.chunks[0].artifacts[0]._links.download"));
        assertNull(dep.get("deployment.chunks[0].artifacts[0]._links.md5sum"));
        assertEquals(download + ".MD5SUM", dep.getString("deployment.chunks[0].artifacts[0]._links.md5sum-http.href"));
        assertTrue(download.contains(d.path() + "/softwaremodules/"), download);
        assertEquals("m-cuda.onnx.release.json", dep.getString("deployment.chunks[0].artifacts[1].filename"));

        // Downloads: whole, ranges, HEAD, MD5SUM, signed metadata.
        byte[] whole = d.as().get(download).then().statusCode(200).header("Accept-Ranges", "bytes")
                .header("ETag", "\"" + hex("SHA-256", cuda) + "\"").extract().asByteArray();
        assertArrayEquals(cuda, whole);
        byte[] part = d.as().header("Range", "bytes=0-99").get(download).then().statusCode(206)
                .header("Content-Range", "bytes 0-99/5000").extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(cuda, 0, 100), part);
        assertArrayEquals(Arrays.copyOfRange(cuda, 4900, 5000), d.as().header("Range", "bytes=4900-").get(download)
                .then().statusCode(206).header("Content-Range", "bytes 4900-4999/5000").extract().asByteArray());
        assertArrayEquals(Arrays.copyOfRange(cuda, 4984, 5000), d.as().header("Range", "bytes=-16").get(download)
                .then().statusCode(206).extract().asByteArray());
        d.as().header("Range", "bytes=20000-").get(download).then().statusCode(416).header("Content-Range", "bytes */5000");
        d.as().header("Range", "bytes=0-9").header("If-Range", "\"stale\"").get(download).then().statusCode(200)
                .header("Content-Length", "5000");
        d.as().head(download).then().statusCode(200).header("Content-Length", "5000");
        d.as().get(download + ".MD5SUM").then().statusCode(200)
                .body(equalTo(hex("MD5", cuda) + "  m-cuda.onnx\n"));
        String release = dep.getString("deployment.chunks[0].artifacts[1]._links.download-http.href");
        byte[] envelope = d.as().get(release).then().statusCode(200).extract().asByteArray();
        assertEquals(dep.getString("deployment.chunks[0].artifacts[1].hashes.sha256"), hex("SHA-256", envelope));
        assertTrue(new String(envelope).contains("\"signatures\""));
        d.as().get(download.replace("m-cuda.onnx", "nope.bin")).then().statusCode(404);
        d.as().accept("application/hal+json").get(download.substring(0, download.lastIndexOf('/'))).then().statusCode(200)
                .body("[0].filename", equalTo("m-cuda.onnx"));

        // Feedback: progress, downloaded, then success.
        String fb = d.path() + "/deploymentBase/" + actionId + "/feedback";
        d.as().contentType(ContentType.JSON)
                .body("{\"status\":{\"execution\":\"proceeding\",\"result\":{\"finished\":\"none\",\"progress\":{\"cnt\":1,\"of\":3}},\"details\":[\"Downloading m-cuda.onnx\"]}}")
                .post(fb).then().statusCode(200).body(emptyString());
        d.as().contentType(ContentType.JSON).body(feedback("downloaded", "none", "Download complete")).post(fb).then().statusCode(200);
        d.as().get(d.path() + "/deploymentBase/" + actionId + "?actionHistory=-1").then().statusCode(200)
                .body("actionHistory.status", equalTo("DOWNLOADED"))
                .body("actionHistory.messages[0]", equalTo("Download complete"))
                .body("actionHistory.messages", hasItem("Downloading m-cuda.onnx"));
        d.as().get(d.path() + "/deploymentBase/" + actionId + "?actionHistory=1").then().statusCode(200)
                .body("actionHistory.messages", hasSize(1));
        d.as().contentType(ContentType.JSON)
                .body("{\"timestamp\":1700000000000,\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"code\":200,\"details\":[\"Installed OK\"]}}")
                .post(fb).then().statusCode(200);
        // A closed action takes no more feedback: 410 with an empty body, as hawkBit.
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success")).post(fb).then().statusCode(410).body(emptyString());

        JsonPath after = poll(d);
        assertNull((Object) after.get("_links.deploymentBase"));
        assertEquals("00:05:00", after.getString("config.polling.sleep"), "with a model installed, the usual interval");
        String installed = after.getString("_links.installedBase.href");
        assertTrue(installed.endsWith(d.path() + "/installedBase/" + actionId), installed);
        d.as().get(installed).then().statusCode(200).body("deployment.chunks[0].artifacts[0].filename", equalTo("m-cuda.onnx"));
        // The finished deployment stays readable, like hawkBit's.
        d.as().get(d.path() + "/deploymentBase/" + actionId).then().statusCode(200);

        viewer().get("/api/v1/devices/{d}", d.id()).then().statusCode(200)
                .body("status", equalTo("in_sync"))
                .body("attributes.hwRevision", equalTo("3"))
                .body("installed[0].model", equalTo(model))
                .body("installed[0].version", equalTo("1.0.0"))
                .body("token", nullValue());
        List<String> types = viewer().get("/api/v1/actions/{id}/status", actionId).then().statusCode(200)
                .extract().jsonPath().getList("type");
        assertEquals(List.of("finished", "downloaded", "running", "retrieved", "running"), types);
        viewer().get("/api/v1/actions/{id}/status", actionId).then()
                .body("[0].messages", equalTo(List.of("Installed OK", "Device reported status code: 200")))
                .body("[0].occurredAt", startsWith("2023-11-14"));
        viewer().get("/api/v1/actions?device={d}", d.id()).then().statusCode(200)
                .body("items[0].status", equalTo("finished")).body("total", equalTo(1));
    }

    @Test
    void aDeviceWithoutAModelIsNewOnlyDuringItsFirstHour() throws Exception {
        Dev fresh = device("new");
        assertEquals("00:00:10", poll(fresh).getString("config.polling.sleep"));
        assertEquals("00:00:10", poll(fresh).getString("config.polling.sleep"), "answered from the cache");

        Dev old = device("old-idle");
        assertEquals("00:00:10", poll(old).getString("config.polling.sleep"));
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE device SET created_at = now() - interval '61 minutes', state_version = state_version + 1"
                        + " WHERE controller_id = ?")) {
            ps.setString(1, old.id());
            ps.executeUpdate();
        }
        Api.await("the older registration to reach the poll answer", Duration.ofSeconds(60),
                () -> "00:05:00".equals(poll(old).getString("config.polling.sleep")));
        assertEquals("00:00:10", poll(fresh).getString("config.polling.sleep"));
    }

    @Test
    void failureFeedbackInTheOlderBodyFormat() {
        String model = publishedModel("1.0.0", Api.onnxModel(3), Api.onnxModel(4));
        Dev d = device("old");
        report(d, x86(""));
        long actionId = assign(model, "1.0.0", d, "soft").getLong("actions[0].id");
        d.as().get(d.path() + "/deploymentBase/" + actionId).then().statusCode(200)
                .body("deployment.download", equalTo("attempt")).body("deployment.update", equalTo("attempt"))
                .body("deployment.chunks[0].artifacts[0].filename", equalTo("m-cpu.onnx"));
        // Older clients send id and time instead of timestamp, and no charset-free Content-Type.
        d.as().contentType("text/plain")
                .body("{\"id\":\"" + actionId + "\",\"time\":\"20140511T121314\",\"status\":{\"execution\":\"closed\","
                        + "\"result\":{\"finished\":\"failure\"},\"details\":[\"self-test failed\"]}}")
                .post(d.path() + "/deploymentBase/" + actionId + "/feedback").then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", actionId).then().body("status", equalTo("error"))
                .body("active", equalTo(false)).body("reason", equalTo("self-test failed"));
        viewer().get("/api/v1/actions/{id}/status", actionId).then().body("[0].type", equalTo("error"))
                .body("[0].occurredAt", equalTo("2014-05-11T12:13:14Z"));
        viewer().get("/api/v1/devices/{d}", d.id()).then().body("status", equalTo("error")).body("installed", hasSize(0));
    }

    @Test
    void unreadableFeedbackIs400WithHawkbitErrorBody() {
        String model = publishedModel("1.0.0", Api.onnxModel(5), Api.onnxModel(6));
        Dev d = device("bad");
        report(d, x86(""));
        long actionId = assign(model, "1.0.0", d, "forced").getLong("actions[0].id");
        String fb = d.path() + "/deploymentBase/" + actionId + "/feedback";
        d.as().contentType(ContentType.JSON).body("{\"status\":{\"execution\":\"bogus\"}}").post(fb).then().statusCode(400)
                .contentType(ContentType.JSON).body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"));
        d.as().contentType(ContentType.JSON).body("{not json").post(fb).then().statusCode(400);
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success")).post(d.path() + "/deploymentBase/999999/feedback")
                .then().statusCode(404).body(emptyString());
        // Every execution status is understood.
        for (String execution : List.of("proceeding", "scheduled", "resumed", "download", "rejected", "downloaded")) {
            d.as().contentType(ContentType.JSON).body(feedback(execution, "none", execution)).post(fb).then().statusCode(200);
        }
        d.as().contentType(ContentType.JSON).body(feedback("canceled", "none")).post(fb).then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", actionId).then().body("status", equalTo("canceled"));
        List<String> types = viewer().get("/api/v1/actions/{id}/status", actionId).then().extract().jsonPath().getList("type");
        assertEquals(List.of("canceled", "downloaded", "warning", "download", "running", "scheduled", "running"),
                types.subList(0, 7));
    }

    @Test
    void cancelFromTheManagementApi() {
        String model = publishedModel("1.0.0", Api.onnxModel(7), Api.onnxModel(8));
        Dev d = device("cancel");
        report(d, x86(""));
        JsonPath a = assign(model, "1.0.0", d, "soft");
        long actionId = a.getLong("actions[0].id");
        String module = a.getString("actions[0].artifact.id");
        assertTrue(poll(d).getString("_links.deploymentBase.href").contains("/deploymentBase/" + actionId));
        viewer().post("/api/v1/actions/{id}/cancel", actionId).then().statusCode(403)
                .contentType("application/problem+json");
        publisher().post("/api/v1/actions/{id}/cancel", actionId).then().statusCode(200).body("status", equalTo("canceling"));
        publisher().post("/api/v1/actions/{id}/cancel", actionId).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("force=true"));

        JsonPath p = poll(d);
        assertNull((Object) p.get("_links.deploymentBase"));
        String cancel = p.getString("_links.cancelAction.href");
        assertTrue(cancel.endsWith(d.path() + "/cancelAction/" + actionId), cancel);
        d.as().get(cancel).then().statusCode(200)
                .body("id", equalTo(Long.toString(actionId))).body("cancelAction.stopId", equalTo(Long.toString(actionId)));
        // While canceling, the deployment and its files are no longer offered.
        d.as().get(d.path() + "/deploymentBase/" + actionId).then().statusCode(404);
        d.as().get(d.path() + "/softwaremodules/" + module + "/artifacts/m-cpu.onnx").then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success", "cancel accepted"))
                .post(cancel + "/feedback").then().statusCode(200);
        assertNull((Object) poll(d).get("_links"));
        d.as().get(cancel).then().statusCode(404);
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success")).post(cancel + "/feedback").then().statusCode(410);
        viewer().get("/api/v1/actions/{id}", actionId).then().body("status", equalTo("canceled")).body("active", equalTo(false));
        publisher().post("/api/v1/actions/{id}/cancel", actionId).then().statusCode(409);
    }

    @Test
    void aNewerAssignmentSupersedesTheOpenOne() {
        String model = publishedModel("1.0.0", Api.onnxModel(10), Api.onnxModel(11));
        Api.createVersion(model, "1.1.0");
        upload(model, "1.1.0", "m-cpu.onnx", Api.onnxModel(12), "arch=x86_64");
        publish(model, "1.1.0");
        Dev d = device("super");
        report(d, x86(""));
        long first = assign(model, "1.0.0", d, "forced").getLong("actions[0].id");
        // The same assignment again is not a new action.
        JsonPath again = assign(model, "1.0.0", d, "forced");
        assertEquals(1, again.getInt("alreadyAssigned"));
        assertEquals(first, again.getLong("actions[0].id"));
        long second = assign(model, "1.1.0", d, "forced").getLong("actions[0].id");
        viewer().get("/api/v1/actions/{id}", first).then().body("status", equalTo("canceling"))
                .body("reason", equalTo("superseded by action " + second));
        // hawkBit order: the cancellation of the superseded action comes first.
        JsonPath p = poll(d);
        assertTrue(p.getString("_links.cancelAction.href").endsWith("/cancelAction/" + first));
        assertNull((Object) p.get("_links.deploymentBase"));
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success"))
                .post(d.path() + "/cancelAction/" + first + "/feedback").then().statusCode(200);
        assertTrue(poll(d).getString("_links.deploymentBase.href").contains("/deploymentBase/" + second + "?c="));
    }

    @Test
    void aDeviceRefusingToCancelKeepsItsAction() {
        String model = publishedModel("1.0.0", Api.onnxModel(13), Api.onnxModel(14));
        Dev d = device("refuse");
        report(d, x86(""));
        long id = assign(model, "1.0.0", d, "forced").getLong("actions[0].id");
        publisher().post("/api/v1/actions/{id}/cancel", id).then().statusCode(200);
        d.as().contentType(ContentType.JSON).body(feedback("rejected", "none", "too late"))
                .post(d.path() + "/cancelAction/" + id + "/feedback").then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", id).then().body("status", equalTo("running")).body("active", equalTo(true));
        assertTrue(poll(d).getString("_links.deploymentBase.href").contains("/deploymentBase/" + id));
        publisher().post("/api/v1/actions/{id}/cancel?force=true", id).then().statusCode(200).body("status", equalTo("canceled"));
        assertNull((Object) poll(d).get("_links"));
    }

    @Test
    void credentialsAreCheckedAndScopedToTheirDevice() {
        String model = publishedModel("1.0.0", Api.onnxModel(15), Api.onnxModel(16));
        Dev a = device("scope-a");
        Dev b = device("scope-b");
        report(a, x86(""));
        report(b, x86(""));
        JsonPath assigned = assign(model, "1.0.0", b, "forced");
        long bAction = assigned.getLong("actions[0].id");
        String bModule = assigned.getString("actions[0].artifact.id");

        given().get(a.path()).then().statusCode(401).body(emptyString());
        given().header("Authorization", "TargetToken wrongtoken").get(a.path()).then().statusCode(401).body(emptyString());
        given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).get(a.path()).then().statusCode(401);
        // A's token on B's path, and B's action or files through A's path.
        a.as().get(b.path()).then().statusCode(401);
        a.as().get(a.path() + "/deploymentBase/" + bAction).then().statusCode(404).body(emptyString());
        a.as().contentType(ContentType.JSON).body(feedback("closed", "success"))
                .post(a.path() + "/deploymentBase/" + bAction + "/feedback").then().statusCode(404);
        a.as().get(a.path() + "/softwaremodules/" + bModule + "/artifacts/m-cpu.onnx").then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
        b.as().get(b.path() + "/softwaremodules/" + bModule + "/artifacts/m-cpu.onnx").then().statusCode(200);
        // A file the assigned module does not have is a bare 404, unlike a module that is not assigned.
        b.as().get(b.path() + "/softwaremodules/" + bModule + "/artifacts/no-such-file.onnx").then().statusCode(404)
                .body(emptyString());
        // Odd spellings of the scheme are accepted.
        given().header("Authorization", "targettoken   " + a.token()).get(a.path()).then().statusCode(200);

        // Rotation: the old token stops at once, the new one works.
        admin().post("/api/v1/devices/{d}/token", a.id()).then().statusCode(200).body("token", startsWith("mydt_"));
        a.as().get(a.path()).then().statusCode(401);
        publisher().post("/api/v1/devices/{d}/token", a.id()).then().statusCode(403);
        String fresh = admin().post("/api/v1/devices/{d}/token", a.id()).then().statusCode(200).extract().path("token");
        given().header("Authorization", "TargetToken " + fresh).get(a.path()).then().statusCode(200);
    }

    @Test
    void theGatewayTokenRegistersUnknownDevices() {
        String id = Api.uniqueName("gw");
        String path = "/DEFAULT/controller/v1/" + id;
        given().header("Authorization", "GatewayToken nope").get(path).then().statusCode(401);
        viewer().get("/api/v1/devices/{d}", id).then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", "GatewayToken " + TestServer.GATEWAY_TOKEN).accept("application/hal+json").get(path)
                .then().statusCode(200).body("_links.configData.href", endsWith(path + "/configData"));
        viewer().get("/api/v1/devices/{d}", id).then().statusCode(200).body("status", equalTo("registered"))
                .body("tokenHint", nullValue());
        given().header("Authorization", "GatewayToken " + TestServer.GATEWAY_TOKEN).contentType(ContentType.JSON)
                .body("{\"data\":{\"arch\":\"aarch64\"}}").put(path + "/configData").then().statusCode(200);
        viewer().get("/api/v1/devices/{d}", id).then().body("attributes.arch", equalTo("aarch64"));
        // The gateway token also works for provisioned devices; other endpoints do not register.
        given().header("Authorization", "GatewayToken " + TestServer.GATEWAY_TOKEN)
                .get("/DEFAULT/controller/v1/" + Api.uniqueName("gw") + "/deploymentBase/1").then().statusCode(404);
    }

    @Test
    void aDeviceReportingItsCpuFeaturesGetsTheFileBuiltForThemAndOthersTheGenericOne() {
        String model = Api.createModel("cpufeat");
        Api.createVersion(model, "1.0.0");
        upload(model, "1.0.0", "m-generic.onnx", Api.onnxModel(31), "arch=x86_64");
        upload(model, "1.0.0", "m-avx512.onnx", Api.onnxModel(32), "arch=x86_64&cpuFeatures=avx512f,avx2");
        publish(model, "1.0.0");
        Dev avx512 = device("avx512");
        // Features count from an updater that accepts signed metadata naming them (protocol 2 on).
        Map<String, String> attributes = new java.util.HashMap<>(x86("cpu"));
        attributes.put(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL);
        attributes.put("cpu.features", "fpu sse4_2 avx avx2 fma avx512f avx512bw vec512");
        report(avx512, attributes);
        // An updater of protocol 1 reports the same features but refuses metadata with cpuFeatures:
        // it gets the generic file, as a device that reported none.
        Dev oldUpdater = device("proto1");
        Map<String, String> old = new java.util.HashMap<>(attributes);
        old.put(DeviceAttributes.UPDATER, "1");
        old.put(DeviceAttributes.CPU_CORES, "4");
        report(oldUpdater, old);
        Dev avx2 = device("avx2");
        attributes.put("cpu.features", "fpu sse4_2 avx avx2 fma vec256");
        report(avx2, attributes);
        Dev silent = device("nofeatures");
        report(silent, x86("cpu"));
        JsonPath r = publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "devices", List.of(avx512.id(), avx2.id(), silent.id(), oldUpdater.id())))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertEquals(0, r.getInt("failed"));
        assertEquals("m-avx512.onnx", r.getString("actions.find { it.device == '" + avx512.id() + "' }.artifact.filename"));
        assertEquals("m-generic.onnx", r.getString("actions.find { it.device == '" + avx2.id() + "' }.artifact.filename"));
        assertEquals("m-generic.onnx", r.getString("actions.find { it.device == '" + silent.id() + "' }.artifact.filename"));
        assertEquals("m-generic.onnx", r.getString("actions.find { it.device == '" + oldUpdater.id() + "' }.artifact.filename"));
        // still Modelyard's updater: its chunk carries the signed metadata it needs
        String oldHref = poll(oldUpdater).getString("_links.deploymentBase.href");
        oldUpdater.as().accept("application/hal+json").get(oldHref).then().statusCode(200)
                .body("deployment.chunks[0].artifacts[0].filename", equalTo("m-generic.onnx"))
                .body("deployment.chunks[0].artifacts[1].filename", equalTo("m-generic.onnx.release.json"));
        String href = poll(avx512).getString("_links.deploymentBase.href");
        avx512.as().accept("application/hal+json").get(href).then().statusCode(200)
                .body("deployment.chunks[0].artifacts[0].filename", equalTo("m-avx512.onnx"));
        // the release signed at publication carries the features, so the device's own check sees them too
        String signed = viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts/m-avx512.onnx", model).then().statusCode(200)
                .extract().path("signedMetadataUrl");
        viewer().get(signed).then().statusCode(200).body("signed.target.cpuFeatures", equalTo(List.of("avx2", "avx512f")));
        String generic = viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts/m-generic.onnx", model).then().statusCode(200)
                .extract().path("signedMetadataUrl");
        viewer().get(generic).then().statusCode(200).body("signed.target.cpuFeatures", nullValue());
    }

    @Test
    void whenNoArtifactFitsTheActionFailsWithTheReason() {
        String model = publishedModel("1.0.0", Api.onnxModel(17), Api.onnxModel(18));
        Dev armv7 = device("armv7");
        report(armv7, Map.of("arch", "armv7", "runtime.onnxruntime", "1.20.0"));
        Dev silent = device("silent");
        JsonPath r = publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "devices", List.of(armv7.id(), silent.id())))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertEquals(2, r.getInt("failed"));
        assertEquals("error", r.getString("actions[0].status"));
        String reason = r.getString("actions.find { it.device == '" + armv7.id() + "' }.reason");
        assertTrue(reason.contains("m-cpu.onnx needs arch x86_64 (device is armv7)"), reason);
        assertTrue(reason.contains("m-arm.onnx needs arch aarch64 (device is armv7)"), reason);
        String silentReason = r.getString("actions.find { it.device == '" + silent.id() + "' }.reason");
        assertTrue(silentReason.contains("device did not report 'arch'"), silentReason);
        assertNull((Object) poll(armv7).get("_links.deploymentBase"));
        viewer().get("/api/v1/devices/{d}", armv7.id()).then().body("status", equalTo("error"));
    }

    @Test
    void onlyReleasedVersionsAreDeployedAndRevokedOnesAreWithdrawn() {
        String model = publishedModel("1.0.0", Api.onnxModel(19), Api.onnxModel(20));
        Api.createVersion(model, "2.0.0-rc.1");
        upload(model, "2.0.0-rc.1", "m.onnx", Api.onnxModel(21), null);
        Dev d = device("revoke");
        report(d, x86(""));
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "2.0.0-rc.1", "device", d.id()))
                .post("/api/v1/deployments").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("only published or deprecated versions can be deployed"));
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "device", "no-such-device"))
                .post("/api/v1/deployments").then().statusCode(404).contentType("application/problem+json");
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0"))
                .post("/api/v1/deployments").then().statusCode(400).contentType("application/problem+json");
        viewer().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "device", d.id()))
                .post("/api/v1/deployments").then().statusCode(403).contentType("application/problem+json");

        JsonPath a = assign(model, "1.0.0", d, "forced");
        long id = a.getLong("actions[0].id");
        String module = a.getString("actions[0].artifact.id");
        d.as().get(d.path() + "/softwaremodules/" + module + "/artifacts/m-cpu.onnx").then().statusCode(200);
        publisher().contentType(ContentType.JSON).body(Map.of("status", "revoked"))
                .patch("/api/v1/models/{m}/versions/1.0.0", model).then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", id).then().body("status", equalTo("canceling"));
        JsonPath p = poll(d);
        assertTrue(p.getString("_links.cancelAction.href").endsWith("/cancelAction/" + id));
        d.as().get(d.path() + "/deploymentBase/" + id).then().statusCode(404);
        d.as().get(d.path() + "/softwaremodules/" + module + "/artifacts/m-cpu.onnx").then().statusCode(404);
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "device", d.id()))
                .post("/api/v1/deployments").then().statusCode(409);
    }

    @Test
    void revokingAnInstalledVersionTakesItOutOfTheInstalledBaseAtOnce() {
        String model = publishedModel("1.0.0", Api.onnxModel(24), Api.onnxModel(25));
        Dev d = device("revoke-installed");
        report(d, x86(""));
        long id = assign(model, "1.0.0", d, "forced").getLong("actions[0].id");
        d.as().contentType(ContentType.JSON).body(feedback("closed", "success"))
                .post(d.path() + "/deploymentBase/" + id + "/feedback").then().statusCode(200);
        assertTrue(poll(d).getString("_links.installedBase.href").endsWith("/installedBase/" + id));
        publisher().contentType(ContentType.JSON).body(Map.of("status", "revoked"))
                .patch("/api/v1/models/{m}/versions/1.0.0", model).then().statusCode(200);
        assertNull((Object) poll(d).get("_links"), "no installedBase for a revoked version");
        d.as().get(d.path() + "/installedBase/" + id).then().statusCode(404);
    }

    @Test
    void downloadOnlyEndsWhenDownloadedAndTagsSelectDevices() {
        String model = publishedModel("1.0.0", Api.onnxModel(22), Api.onnxModel(23));
        String tag = Api.uniqueName("tag");
        Dev d = device("tagged");
        report(d, x86(""));
        publisher().contentType(ContentType.JSON).body(Map.of("tags", List.of(tag)))
                .patch("/api/v1/devices/{d}", d.id()).then().statusCode(200).body("tags", equalTo(List.of(tag)));
        viewer().get("/api/v1/devices?tag={t}", tag).then().statusCode(200).body("total", equalTo(1))
                .body("items[0].controllerId", equalTo(d.id()));
        JsonPath r = publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "latest", "tag", tag, "type", "downloadonly"))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        long id = r.getLong("actions[0].id");
        assertEquals("1.0.0", r.getString("actions[0].version"));
        assertEquals("latest", r.getString("actions[0].requested"));
        d.as().get(d.path() + "/deploymentBase/" + id).then().statusCode(200)
                .body("deployment.download", equalTo("forced")).body("deployment.update", equalTo("skip"));
        d.as().contentType(ContentType.JSON).body(feedback("downloaded", "none"))
                .post(d.path() + "/deploymentBase/" + id + "/feedback").then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", id).then().body("status", equalTo("downloaded")).body("active", equalTo(false));
        assertNull((Object) poll(d).get("_links"));
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "tag", "no-device-has-this"))
                .post("/api/v1/deployments").then().statusCode(422);
    }

    @Test
    void md5AndSha1AreComputedWhenAVersionIsPublishedNotWhenADeviceAsks() throws Exception {
        byte[] bytes = Api.onnxModel(4000, 77);
        String sha256 = hex("SHA-256", bytes);
        String m = Api.createModel("digests");
        Api.createVersion(m, "1.0.0");
        upload(m, "1.0.0", "m.onnx", bytes, "arch=x86_64");
        assertEquals(List.of(), digestRows(sha256), "nothing before publication");
        publish(m, "1.0.0");
        long end = System.nanoTime() + 10_000_000_000L;
        while (digestRows(sha256).isEmpty() && System.nanoTime() < end) Thread.sleep(20);
        assertEquals(List.of(hex("SHA-1", bytes) + " " + hex("MD5", bytes)), digestRows(sha256));
    }

    private List<String> digestRows(String sha256) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT sha1 || ' ' || md5 FROM blob_digest WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (var rs = ps.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) out.add(rs.getString(1));
                return out;
            }
        }
    }

    @Test
    void pollsAreRecordedInBatches() {
        Dev d = device("seen");
        viewer().get("/api/v1/devices/{d}", d.id()).then().body("lastSeenAt", nullValue()).body("status", equalTo("unknown"));
        d.as().get(d.path()).then().statusCode(200);
        d.as().get(d.path()).then().statusCode(200);
        assertTrue(lastSeen.flush() >= 1);
        viewer().get("/api/v1/devices/{d}", d.id()).then().body("lastSeenAt", notNullValue())
                .body("status", equalTo("registered"));
        viewer().get("/api/v1/devices?status=registered&q={p}", d.id()).then().body("total", equalTo(1));
    }

    @Test
    void aLastSeenTimeIsRewrittenOnlyOnceItMovedByTheResolution() throws Exception {
        Dev d = device("seen-often");
        d.as().get(d.path()).then().statusCode(200);
        lastSeen.flush();
        String first = viewer().get("/api/v1/devices/{d}", d.id()).then().extract().path("lastSeenAt");
        assertNotNull(first);
        Thread.sleep(20);
        d.as().get(d.path()).then().statusCode(200);
        lastSeen.flush();
        assertEquals(first, viewer().get("/api/v1/devices/{d}", d.id()).then().extract().path("lastSeenAt"),
                "a poll within a minute of the written time is not written again");
    }

    @Test
    void aLastSeenTimeWaitsForARowAnotherTransactionHoldsInsteadOfBlockingOnIt() throws Exception {
        Dev d = device("seen-locked");
        lastSeen.flush();
        try (var c = db.getConnection()) {
            c.setAutoCommit(false);
            try (var ps = c.prepareStatement("SELECT id FROM device WHERE controller_id = ? FOR UPDATE")) {
                ps.setString(1, d.id());
                ps.executeQuery().close();
            }
            d.as().get(d.path()).then().statusCode(200);
            assertEquals(0, lastSeen.flush(), "the locked row is skipped, not waited for");
            viewer().get("/api/v1/devices/{d}", d.id()).then().body("lastSeenAt", nullValue());
            c.rollback();
        }
        assertEquals(1, lastSeen.flush(), "and written by the next flush");
        viewer().get("/api/v1/devices/{d}", d.id()).then().body("lastSeenAt", notNullValue());
    }

    @Test
    void aLargeAssignmentRefreshesThePlannerStatisticsThePollsDependOn() throws Exception {
        String model = publishedModel("1.0.0", Api.onnxModel(26), Api.onnxModel(27));
        String tag = Api.uniqueName("many");
        try (var c = db.getConnection(); var ps = c.prepareStatement("""
                WITH d AS (INSERT INTO device (tenant, controller_id, status, attributes, attributes_requested, created_at, updated_at)
                           SELECT 'default', ? || '-' || i, 'REGISTERED',
                                  '{"arch":"x86_64","runtime.onnxruntime":"1.20.0","memory.mb":"8192","os":"linux"}', false, now(), now()
                           FROM generate_series(1, 1000) AS i RETURNING id)
                INSERT INTO device_tag (device_id, tag) SELECT id, ? FROM d""")) {
            ps.setString(1, tag);
            ps.setString(2, tag);
            ps.executeUpdate();
        }
        java.sql.Timestamp before = lastAnalyze();
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "tag", tag))
                .post("/api/v1/deployments").then().statusCode(201).body("assigned", equalTo(1000));
        long end = System.nanoTime() + 10_000_000_000L;
        while (java.util.Objects.equals(before, lastAnalyze()) && System.nanoTime() < end) Thread.sleep(50);
        assertNotEquals(before, lastAnalyze(), "the action table was analyzed after the assignment");
    }

    private java.sql.Timestamp lastAnalyze() throws Exception {
        try (var c = db.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'action'")) {
            return rs.next() ? rs.getTimestamp(1) : null;
        }
    }

    @Test
    void deviceManagementErrorsAreProblems() {
        Dev d = device("mgmt");
        publisher().contentType(ContentType.JSON).body(Map.of("controllerId", d.id())).post("/api/v1/devices")
                .then().statusCode(409).contentType("application/problem+json");
        publisher().contentType(ContentType.JSON).body(Map.of("controllerId", "bad id/with slash")).post("/api/v1/devices")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("controllerId"));
        viewer().contentType(ContentType.JSON).body(Map.of("controllerId", "x" + d.id())).post("/api/v1/devices")
                .then().statusCode(403);
        given().get("/api/v1/devices").then().statusCode(401).contentType("application/problem+json");
        viewer().get("/api/v1/devices?status=sleepy").then().statusCode(400).contentType("application/problem+json");
        viewer().get("/api/v1/devices").then().statusCode(200).body("items.token", everyItem(nullValue()));
        viewer().get("/api/v1/actions/987654321").then().statusCode(404).contentType("application/problem+json");
        publisher().delete("/api/v1/devices/{d}", d.id()).then().statusCode(403);
        admin().delete("/api/v1/devices/{d}", d.id()).then().statusCode(204);
        d.as().get(d.path()).then().statusCode(401);
    }
}
