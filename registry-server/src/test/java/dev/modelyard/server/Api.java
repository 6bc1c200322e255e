package dev.modelyard.server;

import static io.restassured.RestAssured.given;

import dev.modelyard.server.conversion.TestModels;
import dev.modelyard.server.onnx.Onnx;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Small helpers for driving the API over HTTP in tests. */
public final class Api {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private Api() {
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    public static RequestSpecification admin() {
        return as(TestServer.ADMIN_TOKEN);
    }

    /** A token of the role, created once per app start through the API. */
    public static String token(String role) {
        return TOKENS.computeIfAbsent(role + "@" + io.restassured.RestAssured.port, r -> admin().contentType(ContentType.JSON)
                .body(Map.of("name", "test-" + role + "-" + COUNTER.incrementAndGet(), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token"));
    }

    public static RequestSpecification publisher() {
        return as(token("publisher"));
    }

    public static RequestSpecification viewer() {
        return as(token("viewer"));
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet();
    }

    public static String createModel(String prefix) {
        String name = uniqueName(prefix);
        publisher().contentType(ContentType.JSON).body(Map.of("name", name, "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201);
        return name;
    }

    public static void createVersion(String model, String version) {
        publisher().contentType(ContentType.JSON).body(Map.of("version", version))
                .post("/api/v1/models/{m}/versions", model).then().statusCode(201);
    }

    public static Response upload(String model, String version, String filename, byte[] bytes, String query) {
        return publisher().contentType("application/octet-stream").body(bytes)
                .put("/api/v1/models/" + model + "/versions/" + version + "/artifacts/" + filename
                        + (query == null ? "" : "?" + query));
    }

    /** A model with a draft version holding one artifact; returns the model name. */
    public static String modelWithArtifact(String prefix, String version, byte[] bytes) {
        String m = createModel(prefix);
        createVersion(m, version);
        upload(m, version, "model.onnx", bytes, null).then().statusCode(201);
        return m;
    }

    /** A small real ONNX model (a perceptron whose weights come from the seed), as uploads of format onnx must be. */
    public static byte[] onnxModel(long seed) {
        return TestModels.bytes(TestModels.mlp(4, 8, 2, seed));
    }

    /** A real ONNX model of exactly {@code size} bytes (at least 1 KiB): a small perceptron padded with its doc string. */
    public static byte[] onnxModel(int size, long seed) {
        Onnx.ModelProto m = TestModels.mlp(4, 8, 2, seed);
        int base = TestModels.bytes(m).length;
        for (int pad = size - base - 1; pad >= size - base - 12 && pad >= 0; pad--) {
            Onnx.ModelProto padded = new Onnx.ModelProto(m.irVersion(), m.opsetImport(), m.producerName(), m.producerVersion(),
                    m.domain(), m.modelVersion(), "#".repeat(pad), m.graph(), m.metadataProps(), m.unknown());
            byte[] b = TestModels.bytes(padded);
            if (b.length == size) return b;
        }
        throw new IllegalArgumentException("no ONNX test model of exactly " + size + " bytes");
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code condition} holds, checking every 20 ms; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
