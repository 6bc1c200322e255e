package dev.modelyard.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every state-changing operation of the committed OpenAPI document is called once, with real data
 * so that most succeed; each call of the management APIs must leave exactly one audit entry with
 * its request id and its operation, each call of the device protocol none. An operation this test
 * cannot place in one of the two fails it, so a new kind of endpoint gets a decision.
 */
@QuarkusTest
class AuditCoverageTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "openapi", "openapi.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CHANGING = List.of("post", "put", "patch", "delete");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Object> bodies = new LinkedHashMap<>();
    /** Path values and query strings for one operation, where the shared ones do not fit. */
    private final Map<String, Map<String, String>> pathValues = new LinkedHashMap<>();
    private final Map<String, String> queries = new LinkedHashMap<>();

    /** WEBHOOK: a git host's signed push hook; it changes nothing itself (the sync it starts is audited as the sync). */
    private enum Kind { MANAGEMENT, DEVICE, WEBHOOK }

    private static Kind classify(String template) {
        if (template.startsWith("/api/v1/") || template.startsWith("/rest/v1/")) return Kind.MANAGEMENT;
        if (template.startsWith("/{tenant}/controller/")) return Kind.DEVICE;
        if (template.startsWith("/hooks/git/")) return Kind.WEBHOOK;
        return null;
    }

    @Test
    void everyStateChangingOperationLeavesExactlyOneEntry() throws IOException {
        JsonNode document = JSON.readTree(DOCUMENT.toFile());
        setUp();
        List<String[]> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String verb : CHANGING) {
                if (path.getValue().has(verb)) operations.add(new String[] {verb.toUpperCase(Locale.ROOT), path.getKey()});
            }
        }
        // Deletions last, deepest first, so that they do not remove what the others use.
        operations.sort(Comparator.<String[], Boolean>comparing(o -> o[0].equals("DELETE"))
                .thenComparing(o -> o[0].equals("DELETE") ? -o[1].length() : 0));

        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int management = 0;
        List<String> refused = new ArrayList<>();
        for (String[] op : operations) {
            String method = op[0];
            String template = op[1];
            Kind kind = classify(template);
            if (kind == null) {
                failures.add(method + " " + template + ": neither a management nor a device protocol operation; "
                        + "decide whether it is audited (AuditRecorder) and teach this test");
                continue;
            }
            String requestId = "coverage-" + UUID.randomUUID();
            Response response = call(method, template, kind, requestId,
                    document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT)));
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() >= 300) {
                refused.add(response.statusCode() + " " + method + " " + template + ": " + oneLine(response.asString()));
            }
            if (response.statusCode() >= 500) failures.add(method + " " + template + ": answered " + response.statusCode());
            JsonPath entries = Api.admin().queryParam("requestId", requestId).get("/api/v1/audit")
                    .then().statusCode(200).extract().jsonPath();
            int expected = kind == Kind.MANAGEMENT ? 1 : 0;
            if (entries.getInt("total") != expected) {
                failures.add(method + " " + template + " (" + response.statusCode() + "): " + entries.getInt("total")
                        + " audit entries, expected " + expected);
            } else if (expected == 1) {
                management++;
                if (!(method + " " + template).equals(entries.getString("items[0].action"))) {
                    failures.add(method + " " + template + ": recorded as " + entries.getString("items[0].action"));
                }
                if (entries.getInt("items[0].outcome") != response.statusCode()) {
                    failures.add(method + " " + template + ": outcome " + entries.getInt("items[0].outcome")
                            + ", answered " + response.statusCode());
                }
                if (!requestId.equals(response.header(AuditRecorder.REQUEST_ID))) {
                    failures.add(method + " " + template + ": request id not echoed");
                }
            }
        }
        System.out.println("AuditCoverageTest: " + operations.size() + " operations, " + management
                + " audited; statuses " + statuses + "; refused:\n  " + String.join("\n  ", refused));
        if (!failures.isEmpty()) fail(failures.size() + " operations failed the audit rule:\n" + String.join("\n", failures));
        long succeeded = statuses.entrySet().stream().filter(e -> e.getKey() < 300).mapToLong(Map.Entry::getValue).sum();
        assertTrue(succeeded * 2 > operations.size(), "most calls should succeed, so that the entries record real changes: " + statuses);
        Api.admin().get("/api/v1/audit/verify").then().statusCode(200).body("intact", org.hamcrest.Matchers.equalTo(true));
    }

    /** Real data behind every path parameter, and bodies that make the calls succeed where a fixture allows. */
    private void setUp() {
        String model = Api.modelWithArtifact("cover", "1.0.0", Api.onnxModel(11));
        Api.createVersion(model, "2.0.0");
        // Above the delta minimum size, so that a delta of it from 1.0.0 can be requested.
        Api.upload(model, "2.0.0", "model.onnx", Api.onnxModel(70_000, 12), null).then().statusCode(201);
        Api.publisher().post("/api/v1/models/{m}/versions/2.0.0/publish", model).then().statusCode(200);
        String artifact = Api.admin().get("/api/v1/models/{m}/versions/1.0.0/artifacts", model)
                .then().statusCode(200).extract().path("items[0].id");
        String device = Api.uniqueName("cover-dev");
        Api.admin().contentType(ContentType.JSON).body(Map.of("controllerId", device)).post("/api/v1/devices").then().statusCode(201);
        String token = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("cover-token"), "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("id");
        Object filter = Api.admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("cover-filter"), "query", "name==x*"))
                .post("/rest/v1/targetfilters").then().statusCode(201).extract().path("id");
        long action = Api.publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "2.0.0", "device", device))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath().getLong("actions[0].id");
        Object set = Api.admin().queryParam("q", "name==" + model).get("/rest/v1/distributionsets")
                .then().statusCode(200).extract().path("content[0].id");
        Object module = Api.admin().queryParam("q", "name==" + model).get("/rest/v1/softwaremodules")
                .then().statusCode(200).extract().path("content[0].id");
        // Drafts and throw-aways for what must not touch the published fixture, or is deleted.
        Api.createVersion(model, "4.0.0");
        String doomedModel = Api.createModel("cover-doomed");
        String doomedTarget = Api.uniqueName("cover-doomed-dev");
        Api.admin().contentType(ContentType.JSON).body(Map.of("controllerId", doomedTarget)).post("/api/v1/devices").then().statusCode(201);
        String doomedKey = Api.admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("cover-doomed-key"), "publicKey", publicKey()))
                .post("/api/v1/publisher-keys").then().statusCode(201).extract().path("id");
        for (String op : List.of("POST /api/v1/models/{model}/versions/{version}/artifacts",
                "PUT /api/v1/models/{model}/versions/{version}/artifacts/{filename}",
                "POST /api/v1/models/{model}/versions/{version}/uploads")) {
            pathValues.put(op, Map.of("version", "4.0.0"));
        }
        pathValues.put("DELETE /api/v1/models/{model}/versions/{version}", Map.of("version", "3.0.0"));
        pathValues.put("DELETE /api/v1/models/{model}", Map.of("model", doomedModel));
        pathValues.put("DELETE /rest/v1/targets/{targetId}", Map.of("targetId", doomedTarget));
        pathValues.put("DELETE /api/v1/publisher-keys/{id}", Map.of("id", doomedKey));
        bodies.put("POST /api/v1/publisher-keys", Map.of("name", Api.uniqueName("cover-key"), "publicKey", publicKey()));
        bodies.put("POST /rest/v1/distributionsets", List.of(Map.of("name", Api.uniqueName("cover-set"), "version", "1.0.0",
                "modules", List.of(Map.of("id", module)))));
        values.put("setId", String.valueOf(set));
        values.put("moduleId", String.valueOf(module));
        pathValues.put("POST /api/v1/actions/{id}/cancel", Map.of("id", Long.toString(action)));
        queries.put("PUT /api/v1/models/{model}/versions/{version}/artifacts/{filename}", "arch=aarch64");
        queries.put("POST /api/v1/models/{model}/versions/{version}/uploads", "filename=resumed.onnx&arch=riscv64");
        values.put("model", model);
        values.put("version", "1.0.0");
        values.put("artifact", artifact);
        values.put("filename", "extra.onnx");
        values.put("controllerId", device);
        values.put("targetId", device);
        values.put("tenant", "default");
        values.put("alias", "prod");
        values.put("name", Api.uniqueName("cover-profile"));
        values.put("filterId", String.valueOf(filter));
        values.put("id", token);

        bodies.put("POST /api/v1/models", Map.of("name", Api.uniqueName("cover-new"), "framework", "pytorch", "task", "classification"));
        bodies.put("PATCH /api/v1/models/{model}", Map.of("description", "audited"));
        bodies.put("PUT /api/v1/models/{model}/aliases/{alias}", Map.of("version", "2.0.0"));
        bodies.put("POST /api/v1/models/{model}/versions", Map.of("version", "3.0.0"));
        bodies.put("PATCH /api/v1/models/{model}/versions/{version}", Map.of("changelog", "audited"));
        bodies.put("POST /api/v1/devices", Map.of("controllerId", Api.uniqueName("cover-new-dev")));
        bodies.put("PATCH /api/v1/devices/{controllerId}", Map.of("name", "audited"));
        bodies.put("POST /api/v1/tokens", Map.of("name", Api.uniqueName("cover-new-token"), "role", "viewer"));
        bodies.put("POST /rest/v1/targets", List.of(Map.of("controllerId", Api.uniqueName("cover-hb"), "name", "audited")));
        bodies.put("PUT /rest/v1/targets/{targetId}", Map.of("name", "audited"));
        bodies.put("POST /rest/v1/targetfilters", Map.of("name", Api.uniqueName("cover-new-filter"), "query", "name==y*"));
        bodies.put("PUT /rest/v1/targetfilters/{filterId}", Map.of("name", Api.uniqueName("cover-renamed-filter"), "query", "name==z*"));
        bodies.put("POST /api/v1/deployments", Map.of("model", model, "version", "2.0.0", "device", device));
        bodies.put("POST /rest/v1/softwaremodules", List.of(Map.of("name", Api.uniqueName("cover-module"), "version", "1.0.0", "type", "os")));
        bodies.put("POST /rest/v1/targets/{targetId}/assignedDS", Map.of("id", set));
        bodies.put("POST /rest/v1/distributionsets/{setId}/assignedTargets", List.of(Map.of("id", device)));
        bodies.put("PUT /{tenant}/controller/v1/{controllerId}/configData", Map.of("mode", "merge", "data", Map.of("k", "v")));
        // A rollout to no device: started, paused, resumed, cancelled, then deleted (approve and rollback are refused: 403, 409).
        String rollout = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("cover-rollout"),
                        "model", model, "version", "2.0.0", "filter", "tag==" + Api.uniqueName("cover-none")))
                .post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getString("id");
        for (String op : List.of("start", "approve", "pause", "resume", "cancel", "rollback")) {
            pathValues.put("POST /api/v1/rollouts/{id}/" + op, Map.of("id", rollout));
        }
        pathValues.put("DELETE /api/v1/rollouts/{id}", Map.of("id", rollout));
        // A delta of 2.0.0 from 1.0.0: requested again (200, it exists) and retried (409 unless its build failed).
        String deltas = "/api/v1/models/{model}/versions/{version}/artifacts/{artifact}/deltas";
        String delta = Api.admin().contentType(ContentType.JSON).body(Map.of("baseVersion", "1.0.0"))
                .post("/api/v1/models/{m}/versions/2.0.0/artifacts/model.onnx/deltas", model).then().statusCode(202)
                .extract().path("id");
        pathValues.put("POST " + deltas, Map.of("version", "2.0.0", "artifact", "model.onnx"));
        bodies.put("POST " + deltas, Map.of("baseVersion", "1.0.0"));
        pathValues.put("POST " + deltas + "/{id}/retry", Map.of("version", "2.0.0", "artifact", "model.onnx", "id", delta));
        bodies.put("POST /api/v1/rollouts", Map.of("name", Api.uniqueName("cover-new-rollout"), "model", model, "version", "2.0.0",
                "filter", "tag==" + Api.uniqueName("cover-none")));
    }

    private Response call(String method, String template, Kind kind, String requestId, JsonNode op) {
        String path = template;
        for (Map.Entry<String, String> v : pathValues.getOrDefault(method + " " + template, Map.of()).entrySet()) {
            path = path.replace("{" + v.getKey() + "}", v.getValue());
        }
        for (Map.Entry<String, String> v : values.entrySet()) path = path.replace("{" + v.getKey() + "}", v.getValue());
        // Parameters the fixtures have nothing for (actions, jobs, uploads, hawkBit numbers): a value that names nothing.
        path = path.replaceAll("\\{(actionId|artifactId)}", "999999").replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        RequestSpecification request = kind == Kind.DEVICE
                ? RestAssured.given().header("Authorization", "GatewayToken " + TestServer.GATEWAY_TOKEN)
                : Api.admin();
        request.header(AuditRecorder.REQUEST_ID, requestId);
        String query = queries.get(method + " " + template);
        if (query != null) path = path + "?" + query;
        String type = bodyType(op);
        if (type != null) {
            if (type.contains("json")) {
                Object body = bodies.get(method + " " + template);
                request.contentType(type).body(body != null ? body : Map.of());
            } else if (type.startsWith("multipart/")) {
                request.multiPart("file", "extra.onnx", Api.onnxModel(13), "application/octet-stream");
            } else {
                request.contentType(type).body(Api.onnxModel(14));
            }
        }
        return request.request(method, path);
    }

    private static String publicKey() {
        return java.util.Base64.getEncoder().encodeToString(
                dev.modelyard.wire.trust.Ed25519.rawPublicKey(dev.modelyard.wire.trust.Ed25519.generate().getPublic()));
    }

    private static String oneLine(String body) {
        String line = body.replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static String bodyType(JsonNode op) {
        Iterator<String> types = op.path("requestBody").path("content").fieldNames();
        String first = null;
        while (types.hasNext()) {
            String t = types.next();
            if (first == null || t.equals("application/json")) first = t;
        }
        return first;
    }

    @Test
    void classificationCoversThePrefixesOfTheDocument() {
        assertEquals(Kind.MANAGEMENT, classify("/api/v1/models"));
        assertEquals(Kind.MANAGEMENT, classify("/rest/v1/targets"));
        assertEquals(Kind.DEVICE, classify("/{tenant}/controller/v1/{controllerId}/configData"));
        assertEquals(null, classify("/q/health"));
    }
}
