package dev.modelyard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/** A plain HTTP client of the management API, as a script or CLI would be. */
final class Client {

    static final ObjectMapper JSON = new ObjectMapper();
    private final ServerProcess server;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();

    Client(ServerProcess server, String token) {
        this.server = server;
        this.token = token;
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Reply send(String method, String path, Object jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token);
        if (jsonBody == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(jsonBody)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Reply(r.statusCode(), body, r);
    }

    /** POSTs a JSON document given as text (e.g. a signed root), exactly as written. */
    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void createModelAndDraft(String model, String version) throws Exception {
        expect(201, send("POST", "/api/v1/models", Map.of("name", model)));
        expect(201, send("POST", "/api/v1/models/" + model + "/versions", Map.of("version", version)));
    }

    /**
     * Streams {@code length} bytes from {@code data} as the raw body of an artifact PUT, with a
     * fixed Content-Length so nothing is buffered on either side.
     */
    Reply putStream(String path, InputStream data, long length, String contentDigest) throws IOException {
        HttpURLConnection c = (HttpURLConnection) server.uri(path).toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(length);
        c.setRequestProperty("Authorization", "Bearer " + token);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        if (contentDigest != null) c.setRequestProperty("Content-Digest", contentDigest);
        try (OutputStream out = c.getOutputStream()) {
            data.transferTo(out);
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes());
        return new Reply(status, text.isEmpty() ? null : JSON.readTree(text), null);
    }

    /** Downloads and hashes without holding the content. Returns {bytes, sha256 hex}. */
    Object[] downloadSha256(String path) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(server.uri(path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new AssertionError("download answered " + r.statusCode());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long n = 0;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = r.body()) {
            int k;
            while ((k = in.read(buf)) > 0) {
                sha.update(buf, 0, k);
                n += k;
            }
        }
        return new Object[]{n, HexFormat.of().formatHex(sha.digest())};
    }

    static Reply expect(int status, Reply r) {
        if (r.status() != status) {
            throw new AssertionError("expected HTTP " + status + " but got " + r.status() + ": " + r.body());
        }
        return r;
    }

    URI uri(String path) {
        return server.uri(path);
    }
}
