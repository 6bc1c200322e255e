package dev.modelyard.server.conversion.job;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.junit.jupiter.api.Assertions.fail;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helpers for driving conversion profiles and jobs over HTTP in tests. */
final class Conversions {

    static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");

    private final List<String> profiles = new ArrayList<>();

    /** Creates a profile as admin and remembers it, so {@link #deleteProfiles()} can remove it. */
    void profile(Map<String, Object> body) {
        admin().contentType(ContentType.JSON).body(body).post("/api/v1/conversion/profiles").then().statusCode(201);
        profiles.add((String) body.get("name"));
    }

    /** Profiles apply to every published version: tests remove theirs so others are not converted. */
    void deleteProfiles() {
        profiles.forEach(p -> admin().delete("/api/v1/conversion/profiles/{p}", p));
        profiles.clear();
    }

    static Map<String, Object> profileBody(String name, Map<String, Object> step, Map<String, Object> target,
                                           Map<String, Object> tolerance) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("steps", List.of(step));
        b.put("target", target);
        if (tolerance != null) b.put("tolerance", tolerance);
        return b;
    }

    static Map<String, Object> builtin(String converter) {
        return Map.of("converter", converter);
    }

    static Map<String, Object> command(int timeoutSeconds, String outputFormat, String... argv) {
        return Map.of("type", "command", "command", List.of(argv), "timeoutSeconds", timeoutSeconds, "outputFormat", outputFormat);
    }

    /** An ad-hoc chain of one step. */
    static Map<String, Object> adHoc(String name, Map<String, Object> step, Map<String, Object> target) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("steps", List.of(step));
        b.put("target", target);
        return b;
    }

    static void publish(String model, String version) {
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", model, version).then().statusCode(200);
    }

    /** Requests as admin; returns the response's JSON. */
    static JsonPath request(String model, String version, Map<String, Object> body, int status) {
        return admin().contentType(ContentType.JSON).body(body)
                .post("/api/v1/models/{m}/versions/{v}/conversions", model, version)
                .then().statusCode(status).extract().jsonPath();
    }

    static long requestOne(String model, String version, Map<String, Object> body) {
        return request(model, version, body, 202).getLong("jobs[0].id");
    }

    static JsonPath job(long id) {
        return viewer().get("/api/v1/conversion/jobs/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    static List<Map<String, Object>> jobsOf(String model, String version) {
        return viewer().get("/api/v1/models/{m}/versions/{v}/conversions", model, version).then().statusCode(200)
                .extract().jsonPath().getList("items");
    }

    static String log(long id) {
        List<String> lines = viewer().get("/api/v1/conversion/jobs/{id}/log", id).then().statusCode(200)
                .extract().jsonPath().getList("line");
        return String.join("\n", lines);
    }

    /** Waits until the job is finished (or in {@code status}); fails after {@code timeout}. */
    static JsonPath await(long id, String status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonPath j = job(id);
            String s = j.getString("status");
            if (s.equals(status)) return j;
            if (FINISHED.contains(s)) fail("job " + id + " ended " + s + " (" + j.getString("error") + ") instead of " + status
                    + "; log:\n" + log(id));
            if (System.nanoTime() > deadline) fail("job " + id + " still " + s + " after " + timeout + "; log:\n" + log(id));
            sleep(50);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
