package dev.modelyard.device.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.Tensor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceServerTest {

    @TempDir
    static Path dir;
    static ModelRuntime runtime;
    static InferenceServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        runtime.swap("kws", "1.2.0", OnnxModels.addBias(dir.resolve("m.onnx"), 0.5f, 0.5f, 0.5f, 0.5f), SelfTest.NONE);
        server = new InferenceServer(runtime, new InetSocketAddress("127.0.0.1", 0), 2);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        runtime.close();
    }

    private static HttpResponse<byte[]> send(String method, String path, String type, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) b.header("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void jsonInference() throws Exception {
        String body = "{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[2,4],\"data\":[1,2,3,4,5,6,7,8]}}}";
        HttpResponse<byte[]> r = send("POST", "/v1/models/kws/infer", "application/json", body.getBytes());
        assertEquals(200, r.statusCode());
        JsonNode out = JSON.readTree(r.body());
        assertEquals("1.2.0", out.get("version").asText());
        assertEquals("[2,4]", out.at("/outputs/y/shape").toString());
        assertEquals(8.5, out.at("/outputs/y/data/7").asDouble(), 1e-6);
    }

    @Test
    void binaryInference() throws Exception {
        float[] x = {1, 2, 3, 4};
        HttpResponse<byte[]> r = send("POST", "/v1/models/kws/infer", "application/octet-stream",
                InferenceServer.toBytes(Tensor.of(x, 1, 4)), "Tensor-Shape", "1,4");
        assertEquals(200, r.statusCode());
        assertEquals("1,4", r.headers().firstValue("Tensor-Shape").orElseThrow());
        assertEquals("y", r.headers().firstValue("Tensor-Name").orElseThrow());
        Tensor y = InferenceServer.fromBytes("float32", new long[]{1, 4}, r.body());
        assertArrayEquals(new float[]{1.5f, 2.5f, 3.5f, 4.5f}, (float[]) y.data());
    }

    @Test
    void listsModelsAndHealth() throws Exception {
        JsonNode models = JSON.readTree(send("GET", "/v1/models", null, null).body());
        assertEquals("kws", models.get(0).get("name").asText());
        assertEquals("x", models.get(0).at("/inputs/0/name").asText());
        assertEquals(200, send("GET", "/healthz", null, null).statusCode());
    }

    @Test
    void errorsAreProblems() throws Exception {
        assertProblem(send("POST", "/v1/models/nope/infer", "application/json", "{\"inputs\":{}}".getBytes()), 404);
        assertProblem(send("POST", "/v1/models/kws/infer", "application/json", "{not json".getBytes()), 400);
        assertProblem(send("POST", "/v1/models/kws/infer", "application/json",
                "{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[1,2]}}}".getBytes()), 400);
        assertProblem(send("POST", "/v1/models/kws/infer", "text/plain", "x".getBytes()), 415);
        assertProblem(send("POST", "/v1/models/kws/infer", "application/octet-stream", new byte[6], "Tensor-Shape", "1,4"), 400);
        assertProblem(send("GET", "/v1/models/kws/infer", null, null), 405);
        assertProblem(send("GET", "/elsewhere", null, null), 404);
    }

    private static void assertProblem(HttpResponse<byte[]> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), new String(r.body()));
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(JSON.readTree(r.body()).get("detail").asText().length() > 3);
    }

    /**
     * With Nagle's algorithm on, a response written as headers then body waits for the client's
     * delayed ACK, about 40 ms per request on a kept-alive connection. The JDK server turns it off
     * for every connection it accepts when {@code sun.net.httpserver.nodelay} is set at the time the
     * first server of the process is created: checked in a JVM of its own (in this one another
     * test's server may come first), by asking the JDK's setting itself rather than timing requests.
     */
    @Test
    void aKeptAliveConnectionIsNotSlowedByDelayedAcks() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "jdk.httpserver/sun.net.httpserver=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), NoDelayProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals("nodelay=true", out.lines().reduce((a, b) -> b).orElse(""), out);
    }

    /** Creates the first HTTP server of its process, an inference server, and prints whether the JDK sets TCP_NODELAY on its connections. */
    public static final class NoDelayProbe {
        public static void main(String[] args) throws Exception {
            try (InferenceServer s = new InferenceServer(null, new InetSocketAddress("127.0.0.1", 0), 1)) {
                s.start();
                java.lang.reflect.Method noDelay = Class.forName("sun.net.httpserver.ServerConfig").getDeclaredMethod("noDelay");
                noDelay.setAccessible(true);
                System.out.println("nodelay=" + noDelay.invoke(null));
            }
        }
    }
}
