package dev.modelyard.server.health;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;

import dev.modelyard.server.Api;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** Devices with open actions on a published model, and feedback carrying serving health, over the real APIs. */
public final class HealthFixtures {

    private HealthFixtures() {
    }

    public record Dev(String id, String token) {
        public String path() {
            return "/DEFAULT/controller/v1/" + id;
        }

        /** Posts deployment feedback for the action; the answer to check. */
        public ValidatableResponse feedback(long actionId, String body) {
            return given().header("Authorization", "TargetToken " + token).contentType(ContentType.JSON).body(body)
                    .post(path() + "/deploymentBase/" + actionId + "/feedback").then();
        }
    }

    /** A published model with one x86_64 artifact of {@code version}; returns its name. */
    public static String publishedModel(String version) {
        String m = Api.createModel("health");
        Api.createVersion(m, version);
        Api.upload(m, version, "m.onnx", Api.onnxModel(11), "arch=x86_64&precision=fp32").then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, version).then().statusCode(200);
        return m;
    }

    /** A registered x86_64 device that runs ONNX Runtime. */
    public static Dev device() {
        String id = Api.uniqueName("hd");
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        Dev d = new Dev(id, token);
        given().header("Authorization", "TargetToken " + token).contentType(ContentType.JSON)
                .body(Map.of("mode", "merge", "data", Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0",
                        "memory.mb", "4096", "os", "linux")))
                .put(d.path() + "/configData").then().statusCode(200).body(emptyString());
        return d;
    }

    /** Assigns the version to the device; the new action's id. */
    public static long assign(String model, String version, Dev d) {
        return publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", version, "device", d.id(), "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath().getLong("actions[0].id");
    }

    /** A feedback body as Modelyard's updater sends it: status plus {@code modelyardHealth} (JSON objects, joined). */
    public static String feedback(String execution, String finished, List<String> health) {
        return "{\"timestamp\":1700000000000,\"status\":{\"execution\":\"" + execution + "\",\"result\":{\"finished\":\""
                + finished + "\"},\"details\":[\"watching\"]},\"modelyardHealth\":[" + String.join(",", health) + "]}";
    }

    /** One model's figures as JSON; null latencies are left out. */
    public static String health(String model, String version, long requests, long errors, Double p50, Double p99,
                                Double ratio, String selfTest, boolean complete) {
        StringBuilder b = new StringBuilder("{\"model\":\"" + model + "\",\"version\":\"" + version
                + "\",\"replacedVersion\":\"0.9.0\",\"servedSeconds\":30,\"requests\":" + requests + ",\"errors\":" + errors);
        if (p50 != null) b.append(",\"p50Ms\":").append(p50);
        if (p99 != null) b.append(",\"p99Ms\":").append(p99);
        if (ratio != null) b.append(",\"p99Ratio\":").append(ratio).append(",\"baselineP99Ms\":").append(p99 / ratio);
        return b.append(",\"selfTest\":\"").append(selfTest).append("\",\"complete\":").append(complete).append('}').toString();
    }
}
