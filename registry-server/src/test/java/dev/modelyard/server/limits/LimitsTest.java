package dev.modelyard.server.limits;

import static dev.modelyard.server.Api.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The limits acting: bodies slower than the minimum rate are ended (a resumable upload keeps what
 * arrived), a slow but steady upload completes, rate limits answer 429 with Retry-After and let
 * the client in again, and non-upload bodies have a size limit. Each test uses its own tokens, so
 * the low per-token limit of {@link LimitsProfile} counts only its own requests.
 */
@QuarkusTest
@TestProfile(LimitsProfile.class)
class LimitsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aSlowButSteadyUploadCompletes() throws Exception {
        String token = newToken("publisher");
        String model = model(token);
        byte[] onnx = Api.onnxModel(400_000, 11);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("PUT", "/api/v1/models/" + model + "/versions/1.0.0/artifacts/slow.onnx", token,
                    "application/octet-stream", onnx.length, ""));
            // 5 KB every 100 ms: about 50 KB/s, ten times the minimum rate of the profile.
            for (int off = 0; off < onnx.length; off += 5 * 1024) {
                out.write(onnx, off, Math.min(5 * 1024, onnx.length - off));
                out.flush();
                Thread.sleep(100);
            }
            String answer = readAnswer(s);
            assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
        }
        as(token).get("/api/v1/models/" + model + "/versions/1.0.0/artifacts/slow.onnx")
                .then().statusCode(200).body("size", equalTo(onnx.length));
    }

    @Test
    void aTricklingUploadIsEndedWithAProblem() throws Exception {
        String token = newToken("publisher");
        String model = model(token);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("PUT", "/api/v1/models/" + model + "/versions/1.0.0/artifacts/trickle.onnx", token,
                    "application/octet-stream", 1024 * 1024, ""));
            out.write(new byte[16 * 1024]);
            out.flush();
            // 100 bytes a second: each read returns before the read timeout, the rate is far too low.
            AtomicReference<String> answer = new AtomicReference<>();
            Thread reader = new Thread(() -> answer.set(readAnswer(s)));
            reader.start();
            while (reader.isAlive()) {
                try {
                    out.write(new byte[100]);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                reader.join(1000);
            }
            reader.join(PATIENCE.toMillis());
            assertTrue(answer.get().startsWith("HTTP/1.1 408"), answer.get());
            assertTrue(answer.get().contains("application/problem+json"), answer.get());
            assertTrue(answer.get().contains("\"code\":\"upload-too-slow\""), answer.get());
        }
        as(token).get("/api/v1/models/" + model + "/versions/1.0.0/artifacts").then().statusCode(200)
                .body("items.size()", equalTo(0));
    }

    @Test
    void aStalledUploadIsCutAfterTheReadTimeout() throws Exception {
        String token = newToken("publisher");
        String model = model(token);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("PUT", "/api/v1/models/" + model + "/versions/1.0.0/artifacts/stalled.onnx", token,
                    "application/octet-stream", 1024 * 1024, ""));
            out.write(new byte[16 * 1024]);
            out.flush();
            // The read timeout closes the connection; an answer written before the close says why.
            String answer = readAnswer(s);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408") && answer.contains("\"code\":\"upload-too-slow\""),
                    answer);
        }
        as(token).get("/api/v1/models/" + model + "/versions/1.0.0/artifacts").then().statusCode(200)
                .body("items.size()", equalTo(0));
    }

    @Test
    void aStalledAppendKeepsWhatArrivedAndTheUploadResumes() throws Exception {
        String token = newToken("publisher");
        String model = model(token);
        byte[] onnx = Api.onnxModel(200_000, 12);
        String url = as(token).post("/api/v1/models/" + model + "/versions/1.0.0/uploads?filename=resumed.onnx")
                .then().statusCode(201).extract().path("url");
        int sent = 16 * 1024;
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("PATCH", url, token, "application/offset+octet-stream", onnx.length, "Upload-Offset: 0\r\n"));
            out.write(onnx, 0, sent);
            out.flush();
            String answer = readAnswer(s);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), "a stalled append is cut: " + answer);
        }
        Api.await("the cut append to be acknowledged", PATIENCE,
                () -> String.valueOf(sent).equals(as(token).head(url).header("Upload-Offset")));
        as(token).contentType("application/offset+octet-stream").header("Upload-Offset", sent)
                .body(Arrays.copyOfRange(onnx, sent, onnx.length)).patch(url)
                .then().statusCode(204).header("Upload-Offset", String.valueOf(onnx.length));
        as(token).put(url + "?digest=sha256:" + Api.sha256(onnx)).then().statusCode(201)
                .body("sha256", equalTo(Api.sha256(onnx)));
    }

    @Test
    void aTokenOverItsRateGets429UntilItHasWaited() throws Exception {
        String token = newToken("viewer");
        Response refused = firstRefusal(() -> as(token).get("/api/v1/models?size=1"));
        refused.then().contentType("application/problem+json").body("code", equalTo("rate-limited"))
                .body("status", equalTo(429));
        assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);
        // Another token is not affected.
        as(newToken("viewer")).get("/api/v1/models?size=1").then().statusCode(200);
        Api.await("the token to be let in again", PATIENCE,
                () -> as(token).get("/api/v1/models?size=1").statusCode() == 200);
    }

    @Test
    void aDeviceOverItsRateGets429UntilItHasWaited() throws Exception {
        String token = newToken("publisher");
        String id = Api.uniqueName("limited");
        String deviceToken = as(token).contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        String path = "/DEFAULT/controller/v1/" + id;
        Response refused = firstRefusal(() -> RestAssured.given().header("Authorization", "TargetToken " + deviceToken)
                .accept("application/hal+json").get(path));
        assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);
        assertEquals("", refused.asString());
        Api.await("the device to be let in again", PATIENCE, () -> RestAssured.given()
                .header("Authorization", "TargetToken " + deviceToken).get(path).statusCode() == 200);
    }

    @Test
    void anotherTenantsDeviceOfTheSameIdDoesNotShareTheRateLimit() throws Exception {
        String id = Api.uniqueName("shared-id");
        String deviceToken = as(newToken("publisher")).contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        String tenant = Api.uniqueName("rival");
        String rivalAdmin = admin().contentType(ContentType.JSON).body(Map.of("id", tenant, "name", "Rival"))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        String gateway = as(rivalAdmin).post("/api/v1/settings/gateway-token").then().statusCode(200)
                .extract().path("gatewayToken.token");
        String rivalPath = "/" + tenant + "/controller/v1/" + id;
        firstRefusal(() -> RestAssured.given().header("Authorization", "GatewayToken " + gateway).get(rivalPath));
        // The rival keeps its own bucket empty while the default tenant's device spends no more than its burst:
        // sharing one bucket, the device would be refused within these requests.
        for (int i = 0; i < 40; i++) {
            RestAssured.given().header("Authorization", "GatewayToken " + gateway).get(rivalPath);
            RestAssured.given().header("Authorization", "TargetToken " + deviceToken)
                    .get("/DEFAULT/controller/v1/" + id).then().statusCode(200);
        }
    }

    @Test
    void aNonUploadBodyOverTheLimitGets413() throws Exception {
        String token = newToken("publisher");
        String description = "x".repeat(100 * 1024);
        // Declared by Content-Length: refused before it is read.
        as(token).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("big"), "description", description))
                .post("/api/v1/models").then().statusCode(413).contentType("application/problem+json")
                .body("code", equalTo("body-too-large"));
        // Chunked, no length: refused when the limit is passed while reading.
        byte[] json = ("{\"name\":\"" + Api.uniqueName("big") + "\",\"description\":\"" + description + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/models"))
                .timeout(PATIENCE).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(json)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode(), chunked.body());
        assertTrue(chunked.body().contains("\"code\":\"body-too-large\""), chunked.body());
    }

    /** Sends until the limit answers; the limit is low enough that this ends within a second or two. */
    private static Response firstRefusal(java.util.function.Supplier<Response> request) throws InterruptedException {
        AtomicReference<Response> refused = new AtomicReference<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (refused.get() == null) {
            assertTrue(System.nanoTime() < deadline, "no 429 within " + PATIENCE);
            Response r = request.get();
            if (r.statusCode() == 429) refused.set(r);
            else assertEquals(200, r.statusCode(), r.asString());
        }
        return refused.get();
    }

    private static RequestSpecification as(String token) {
        return Api.as(token);
    }

    private static String newToken(String role) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("limits-" + role), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    private static String model(String token) {
        String name = Api.uniqueName("limits");
        as(token).contentType(ContentType.JSON).body(Map.of("name", name, "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201);
        as(token).contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .post("/api/v1/models/{m}/versions", name).then().statusCode(201);
        return name;
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), (int) PATIENCE.toMillis());
        s.setSoTimeout((int) PATIENCE.toMillis());
        return s;
    }

    private static byte[] head(String method, String path, String token, String type, long length, String extra) {
        return (method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: " + type + "\r\nContent-Length: " + length + "\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The server's answer: everything until it closes the connection or a whole response has arrived. */
    private static String readAnswer(Socket s) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
                if (complete(got.toString(StandardCharsets.UTF_8))) break;
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer and no close within " + PATIENCE, e);
        } catch (IOException reset) {
            // closed by a reset: what arrived before it is the answer
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static boolean complete(String response) {
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) return false;
        String headers = response.substring(0, end).toLowerCase();
        int at = headers.indexOf("content-length:");
        if (at < 0) return false;
        long length = Long.parseLong(headers.substring(at + 15, headers.indexOf('\r', at) < 0 ? headers.length()
                : headers.indexOf('\r', at)).strip());
        return response.getBytes(StandardCharsets.UTF_8).length - (end + 4) >= length;
    }
}
