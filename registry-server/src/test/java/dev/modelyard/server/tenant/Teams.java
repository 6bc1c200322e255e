package dev.modelyard.server.tenant;

import static io.restassured.RestAssured.given;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures: a tenant created by the system administrator, filled through its own admin token
 * with one of everything (model, versions, artifact, alias, upload, device, action, profile,
 * conversion job, target filter, gateway token).
 */
final class Teams {

    private Teams() {
    }

    /** A tenant and the names and ids of what it holds: the values its paths take. */
    record Team(String tenant, String adminToken, String tokenId, String gatewayToken, String deviceToken,
                Map<String, String> values) {

        RequestSpecification as() {
            return Api.as(adminToken);
        }

        String controllerId() {
            return values.get("controllerId");
        }

        String model() {
            return values.get("model");
        }
    }

    static RequestSpecification systemAdmin() {
        return Api.as(TestServer.ADMIN_TOKEN);
    }

    /** A new tenant with its first admin token. */
    static JsonPath createTenant(String id) {
        return systemAdmin().contentType(ContentType.JSON).body(Map.of("id", id, "name", "Team " + id))
                .post("/api/v1/tenants").then().statusCode(201).extract().jsonPath();
    }

    static Team team(String prefix) {
        String tenant = Api.uniqueName(prefix);
        JsonPath created = createTenant(tenant);
        String token = created.getString("adminToken.token");
        java.util.function.Supplier<RequestSpecification> api = () -> Api.as(token);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("tenant", tenant);

        String model = Api.uniqueName(prefix + "-model");
        api.get().contentType(ContentType.JSON).body(Map.of("name", model, "framework", "onnx", "labels", Map.of("team", tenant)))
                .post("/api/v1/models").then().statusCode(201);
        api.get().contentType(ContentType.JSON).body(Map.of("version", "1.0.0")).post("/api/v1/models/{m}/versions", model)
                .then().statusCode(201);
        String artifact = api.get().contentType("application/octet-stream").body(Api.onnxModel(11))
                .put("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", model).then().statusCode(201)
                .extract().path("id");
        api.get().post("/api/v1/models/{m}/versions/1.0.0/publish", model).then().statusCode(200);
        api.get().contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .put("/api/v1/models/{m}/aliases/prod", model).then().statusCode(200);
        api.get().contentType(ContentType.JSON).body(Map.of("version", "2.0.0")).post("/api/v1/models/{m}/versions", model)
                .then().statusCode(201);
        String upload = api.get().queryParam("filename", "big.onnx")
                .post("/api/v1/models/{m}/versions/2.0.0/uploads", model).then().statusCode(201).extract().path("id");

        String controllerId = Api.uniqueName(prefix + "-dev");
        String deviceToken = api.get().contentType(ContentType.JSON).body(Map.of("controllerId", controllerId, "tags", List.of("fleet")))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        Object action = api.get().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "device", controllerId, "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201).extract().path("actions[0].id");

        String profile = Api.uniqueName(prefix + "-fp16");
        api.get().contentType(ContentType.JSON).body(Map.of("name", profile,
                        "steps", List.of(Map.of("converter", "fp16-weights")),
                        "target", Map.of("format", "onnx", "arch", "aarch64", "precision", "fp16")))
                .post("/api/v1/conversion/profiles").then().statusCode(201);
        Object job = api.get().contentType(ContentType.JSON).body(Map.of("profiles", List.of(profile)))
                .post("/api/v1/models/{m}/versions/1.0.0/conversions", model).then().statusCode(202)
                .extract().path("jobs[0].id");

        Object module = api.get().get("/rest/v1/softwaremodules").then().statusCode(200)
                .extract().path("content[0].id");
        Object number = api.get().get("/rest/v1/softwaremodules/{id}/artifacts", module).then().statusCode(200)
                .extract().path("[0].id");
        Object filter = api.get().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName(prefix + "-filter"), "query", "controllerId==" + controllerId))
                .post("/rest/v1/targetfilters").then().statusCode(201).extract().path("id");
        // A device group and a draft rollout: ids and names the other tenant must not reach.
        String group = Api.uniqueName(prefix + "-group");
        api.get().contentType(ContentType.JSON).body(Map.of("name", group, "filter", "controllerId==" + controllerId))
                .post("/api/v1/device-groups").then().statusCode(201);
        String rolloutName = Api.uniqueName(prefix + "-rollout");
        Object rollout = api.get().contentType(ContentType.JSON).body(Map.of("name", rolloutName, "model", model,
                        "version", "1.0.0", "filter", "controllerId==" + controllerId))
                .post("/api/v1/rollouts").then().statusCode(201).extract().path("id");
        String gateway = api.get().post("/api/v1/settings/gateway-token").then().statusCode(200)
                .extract().path("gatewayToken.token");
        String tokenId = created.getString("adminToken.id");

        v.put("model", model);
        v.put("version", "1.0.0");
        v.put("artifact", artifact);
        v.put("filename", "model.onnx");
        v.put("alias", "prod");
        v.put("controllerId", controllerId);
        v.put("targetId", controllerId);
        v.put("name", profile);
        v.put("moduleId", module.toString());
        v.put("setId", module.toString());
        v.put("artifactId", number.toString());
        v.put("filterId", filter.toString());
        v.put("actionId", action.toString());
        v.put("job", job.toString());
        v.put("upload", upload);
        v.put("group", group);
        v.put("rolloutId", rollout.toString());
        v.put("rolloutName", rolloutName);
        v.put("tokenId", tokenId);
        return new Team(tenant, token, tokenId, gateway, deviceToken, v);
    }

    static RequestSpecification device(String scheme, String token) {
        return given().header("Authorization", scheme + " " + token);
    }
}
