package dev.modelyard.server.rollout;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;

import dev.modelyard.server.Api;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Devices driven over the real DDI API, and the models and rollouts the rollout tests need. */
final class RolloutFleet {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final Map<String, String> ATTRIBUTES = Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0", "os", "linux");

    private RolloutFleet() {
    }

    /** A rollout request for the devices with {@code tag}; {@code more}: further fields as name, value pairs. */
    static Map<String, Object> body(String model, String version, String tag, Object... more) {
        Map<String, Object> b = new java.util.HashMap<>();
        b.put("name", Api.uniqueName("rollout"));
        b.put("model", model);
        b.put("version", version);
        b.put("filter", "tag==" + tag);
        for (int i = 0; i < more.length; i += 2) b.put((String) more[i], more[i + 1]);
        return b;
    }

    /** A phase of a rollout request, from name, value pairs. */
    static Map<String, Object> phase(Object... kv) {
        Map<String, Object> p = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) p.put((String) kv[i], kv[i + 1]);
        return p;
    }

    /** Creating the rollout is refused with this status and code, naming {@code field} (null: any or none). */
    static void refused(Map<String, Object> body, int status, String code, String field) {
        var r = admin().contentType(ContentType.JSON).body(body).post("/api/v1/rollouts").then().statusCode(status)
                .contentType("application/problem+json").body("code", org.hamcrest.Matchers.equalTo(code));
        if (field != null) r.body("field", org.hamcrest.Matchers.equalTo(field));
    }

    /** The single number a query answers. */
    static long count(javax.sql.DataSource db, String sql) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(sql);
             java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    record Dev(String id, String token) {
        RequestSpecification as() {
            return given().header("Authorization", "TargetToken " + token);
        }

        String path() {
            return "/DEFAULT/controller/v1/" + id;
        }

        /** Reports x86_64 with ONNX Runtime, so the test models' artifact fits. */
        void reportAttributes() {
            as().contentType("application/json; charset=UTF-8")
                    .body(Map.of("mode", "merge", "data", ATTRIBUTES))
                    .put(path() + "/configData").then().statusCode(200);
        }

        /** The action the poll offers, or null. */
        Long offered() {
            JsonPath p = as().accept("application/hal+json").get(path()).then().statusCode(200).extract().jsonPath();
            String href = p.getString("_links.deploymentBase.href");
            if (href == null) return null;
            String tail = href.substring(href.indexOf("/deploymentBase/") + "/deploymentBase/".length());
            return Long.parseLong(tail.contains("?") ? tail.substring(0, tail.indexOf('?')) : tail);
        }

        /** The action the poll offers to cancel, or null. */
        Long cancelOffered() {
            JsonPath p = as().accept("application/hal+json").get(path()).then().statusCode(200).extract().jsonPath();
            String href = p.getString("_links.cancelAction.href");
            return href == null ? null : Long.parseLong(href.substring(href.lastIndexOf('/') + 1));
        }

        void feedback(long actionId, String execution, String finished, String... details) {
            as().contentType(ContentType.JSON).body(Map.of("status", Map.of("execution", execution, "result", Map.of("finished", finished),
                    "details", List.of(details)))).post(path() + "/deploymentBase/" + actionId + "/feedback").then().statusCode(200);
        }

        void cancelFeedback(long actionId) {
            as().contentType(ContentType.JSON).body("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[]}}")
                    .post(path() + "/cancelAction/" + actionId + "/feedback").then().statusCode(200);
        }

        /** Waits for the offered action, fetches it and closes it with success or failure; returns its id. */
        long complete(boolean success, String... details) throws InterruptedException {
            long action = awaitOffer();
            as().accept("application/hal+json").get(path() + "/deploymentBase/" + action).then().statusCode(200);
            feedback(action, "closed", success ? "success" : "failure", details);
            return action;
        }

        long awaitOffer() throws InterruptedException {
            Long[] found = new Long[1];
            Api.await(id + " is offered an action", DEADLINE, () -> (found[0] = offered()) != null);
            return found[0];
        }
    }

    /** {@code n} devices with the tag, provisioned and reporting attributes. */
    static List<Dev> devices(String tag, int n) {
        List<Dev> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(device(tag));
        return out;
    }

    static Dev device(String tag) {
        String id = Api.uniqueName("ro-dev");
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id, "tags", List.of(tag), "attributes", ATTRIBUTES))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        Dev d = new Dev(id, token);
        d.reportAttributes();
        return d;
    }

    /** A model with published versions, each with one arch-independent ONNX artifact; returns its name. */
    static String model(String... versions) {
        String m = Api.createModel("ro");
        long seed = 1;
        for (String v : versions) {
            Api.createVersion(m, v);
            Api.upload(m, v, "model.onnx", Api.onnxModel(seed++), null).then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        return m;
    }

    static JsonPath create(RequestSpecification as, Map<String, Object> body) {
        return as.contentType(ContentType.JSON).body(body).post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath();
    }

    static JsonPath get(long id) {
        return admin().get("/api/v1/rollouts/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    static Response post(RequestSpecification as, long id, String op) {
        return as.post("/api/v1/rollouts/{id}/" + op, id);
    }

    static void awaitState(long id, String state) throws InterruptedException {
        String[] last = new String[1];
        try {
            Api.await("rollout " + id + " " + state, DEADLINE, () -> state.equals(last[0] = get(id).getString("state")));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (last: " + last[0] + ", " + get(id).getString("stateReason") + ")");
        }
    }

    static void awaitPhase(long id, int phase, String state) throws InterruptedException {
        Api.await("rollout " + id + " phase " + phase + " " + state, DEADLINE,
                () -> state.equals(get(id).getString("phases[" + phase + "].state")));
    }

    static void awaitCount(long id, String count, long n) throws InterruptedException {
        Api.await("rollout " + id + " counts." + count + " = " + n, DEADLINE, () -> get(id).getLong("counts." + count) == n);
    }
}
