package dev.modelyard.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The registry server's management API as an operator's script uses it: plain HTTP with the
 * admin token. Any answer but the expected status is a {@link DemoFailure} naming the request
 * and the server's problem detail.
 */
final class Registry {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Registry(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    URI base() {
        return base;
    }

    /** True once the server answers its readiness check; false while it is starting. */
    boolean ready() throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    JsonNode get(String path) throws Exception {
        return call("GET", path, 200, HttpRequest.BodyPublishers.noBody(), "application/json");
    }

    /** 404 as null: whether something exists. */
    JsonNode find(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, HttpRequest.BodyPublishers.noBody(), "application/json");
        if (r.statusCode() == 404) return null;
        return expect(200, "GET", path, r);
    }

    JsonNode post(String path, int status, Object body) throws Exception {
        return call("POST", path, status, json(body), "application/json");
    }

    /** Posts a document exactly as written, e.g. a signed root whose bytes must not change. */
    JsonNode postText(String path, int status, String body) throws Exception {
        return call("POST", path, status, HttpRequest.BodyPublishers.ofString(body), "application/json");
    }

    JsonNode patch(String path, Object body) throws Exception {
        return call("PATCH", path, 200, json(body), "application/merge-patch+json");
    }

    /** Uploads a file as the raw body, with its SHA-256 so the server refuses bytes damaged on the way. */
    JsonNode upload(String path, byte[] content) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(sha256(content)) + ":")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build();
        return expect(201, "PUT", path, http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private JsonNode call(String method, String path, int status, HttpRequest.BodyPublisher body, String type) throws Exception {
        return expect(status, method, path, send(method, path, body, type));
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String type) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Content-Type", type)
                .method(method, body).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(int status, String method, String path, HttpResponse<String> r) throws Exception {
        if (r.statusCode() != status) {
            String detail = r.body();
            try {
                JsonNode problem = JSON.readTree(r.body());
                if (problem != null && problem.hasNonNull("detail")) detail = problem.get("detail").asText();
            } catch (IOException notJson) {
                // the raw body says it
            }
            throw new DemoFailure(method + " " + path + " answered " + r.statusCode() + " (expected " + status + "): " + detail);
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    private static HttpRequest.BodyPublisher json(Object body) throws IOException {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }
}
