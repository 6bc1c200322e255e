package dev.modelyard.server.limits;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A few hundred uploads that send 64 KB and then nothing, from many tokens and addresses: they
 * must not take the threads the management API and the device polls need. Every request made
 * meanwhile has 30 s to answer; before the limits, such uploads held every worker thread for the
 * half hour of the old read timeout.
 */
@QuarkusTest
class StalledUploadsTest {

    private static final int STALLED = 300;
    private static final int PATCHES = 100;
    private static final int TOKENS = 40;
    private static final int ADDRESSES = 30;
    private static final int DECLARED = 4 * 1024 * 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    RequestGate gate;

    @Inject
    Limits limits;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();

    @Test
    void stalledUploadsLeaveThreadsForPollsAndReadsAndGiveTheirSlotsBack() throws Exception {
        String model = Api.createModel("stalled");
        Api.createVersion(model, "1.0.0");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) tokens.add(newToken("stalled-" + i));
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < PATCHES; i++) {
            sessions.add(publisher().post("/api/v1/models/" + model + "/versions/1.0.0/uploads?filename=resumed-" + i + ".onnx")
                    .then().statusCode(201).extract().path("url"));
        }

        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                String request = i < PATCHES
                        ? "PATCH " + sessions.get(i) + " HTTP/1.1\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                        : "PUT /api/v1/models/" + model + "/versions/1.0.0/artifacts/stalled-" + i + ".onnx HTTP/1.1\r\n"
                                + "Content-Type: application/octet-stream\r\n";
                stalled.add(stall(request, tokens.get(i % TOKENS), "127.0.0." + (2 + i % ADDRESSES)));
            }
            int cap = limits.uploadCaps().total();
            Api.await("the stalled uploads to fill every upload slot", Duration.ofSeconds(60),
                    () -> gate.uploadsInProgress() == cap);

            // One more upload is refused at once, before it takes a thread.
            HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/api/v1/models/" + model + "/versions/1.0.0/artifacts/one-more.onnx"))
                    .header("Authorization", "Bearer " + Api.token("publisher"))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1024])));
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            assertEquals(true, refused.body().contains("\"code\":\"too-many-uploads\""), refused.body());
            assertEquals(true, refused.headers().firstValue("Retry-After").isPresent());

            // Meanwhile management reads and uncached device polls (first polls of new devices) answer.
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(sendAsync(HttpRequest.newBuilder(uri("/api/v1/models?size=5"))
                        .header("Authorization", "Bearer " + Api.token("viewer")).GET()));
                String[] device = newDevice("stalled-poll");
                answers.add(sendAsync(HttpRequest.newBuilder(uri("/DEFAULT/controller/v1/" + device[0]))
                        .header("Authorization", "TargetToken " + device[1]).header("Accept", "application/hal+json").GET()));
            }
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get();
                assertEquals(200, r.statusCode(), r.uri() + ": " + r.body());
            }
        } finally {
            for (Socket s : stalled) reset(s);
        }
        Api.await("every upload slot to be given back after the connections were reset", Duration.ofSeconds(60),
                () -> gate.uploadsInProgress() == 0);
        Api.upload(model, "1.0.0", "after.onnx", Api.onnxModel(77), null).then().statusCode(201);
        for (String url : sessions.subList(0, 3)) {
            // A reset append keeps what arrived (at most the 64 KB sent); the session stays usable.
            long offset = Long.parseLong(publisher().head(url).then().statusCode(200).extract().header("Upload-Offset"));
            assertTrue(offset >= 0 && offset <= 64 * 1024, "offset " + offset);
        }
    }

    /** Opens an upload from {@code fromAddress}, declares 4 MB, sends 64 KB and goes quiet. */
    private static Socket stall(String requestHead, String token, String fromAddress) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(fromAddress, 0));
        s.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), (int) PATIENCE.toMillis());
        OutputStream out = s.getOutputStream();
        out.write((requestHead + "Host: localhost\r\nAuthorization: Bearer " + token + "\r\nContent-Length: " + DECLARED
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[64 * 1024]);
        out.flush();
        return s;
    }

    /** Closes with a TCP reset, as a vanished client or a middlebox does. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // already gone: the server saw the close either way
        }
    }

    private static String newToken(String name) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName(name), "role", "publisher"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    /** A new device: its controller id and token. */
    private static String[] newDevice(String prefix) {
        String id = Api.uniqueName(prefix);
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        return new String[] {id, token};
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + RestAssured.port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return http.sendAsync(request.timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
    }
}
