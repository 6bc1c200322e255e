package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A third-party hawkBit DDI client library from npm, {@code @awesomeorganization/hawkbit-ddi}
 * (pinned with its lockfile in {@code src/test/node/hawkbit-ddi-client}), unmodified, driven by a
 * small script as a device: install, failure, cancel, resume of a cut download, gateway token.
 * The library is installed with {@code npm ci} into {@code target/}; Node.js 18+ and npm are
 * required (.ci/run installs them): without them this test fails rather than skips.
 */
@QuarkusTest
class HawkbitDdiNodeClientTest {

    private static final Path SOURCE = Path.of("src/test/node/hawkbit-ddi-client");
    private static final Path WORK = Path.of("target/hawkbit-ddi-client");
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void installTheLibrary() throws Exception {
        Files.createDirectories(WORK);
        for (String f : List.of("package.json", "package-lock.json", "client.mjs")) {
            Files.copy(SOURCE.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Run install = run(WORK, Map.of(), "npm", "ci", "--no-audit", "--no-fund");
        assertEquals(0, install.exit(), "npm ci of the hawkBit DDI client library failed:\n" + install.output());
    }

    record Run(int exit, String output) {
        JsonNode result() throws IOException {
            String[] lines = output.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        }
    }

    /**
     * Generous for a busy machine (npm ci included), yet finite: a process that hangs fails the
     * test with what it printed instead of holding the build forever.
     */
    private static final long DEADLINE_SECONDS = 300;

    /**
     * Runs a command to its end. Its output goes to a file rather than a pipe, so that waiting
     * for the exit is what the deadline bounds: a hung process that keeps its output open cannot
     * block a read.
     */
    private static Run run(Path dir, Map<String, String> env, String... command) throws Exception {
        Path log = Files.createTempFile(WORK.toAbsolutePath(), "run-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed for this test (Node.js 18+ and npm; .ci/run installs them): "
                    + e.getMessage(), e);
        }
        if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            // npm and node start helpers of their own: end those too, then the process itself.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not end within " + DEADLINE_SECONDS
                    + " s; its output so far:\n" + output(log));
        }
        return new Run(p.exitValue(), output(log));
    }

    /** What the command printed; bytes that are not UTF-8 are replaced, not fatal. */
    private static String output(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    /** Where the commands' standard input comes from: nothing, so a prompt ends at once instead of waiting. */
    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** One device session of the library (see client.mjs); {@code auth}: TARGET_TOKEN or GATEWAY_TOKEN. */
    private static Run session(String controllerId, String authVariable, String secret, Path artifacts, String outcome)
            throws Exception {
        return run(WORK, Map.of("DDI_URL", "http://127.0.0.1:" + RestAssured.port, "CONTROLLER_ID", controllerId,
                authVariable, secret, "ARTIFACTS", artifacts.toString(), "OUTCOME", outcome), "node", "client.mjs");
    }

    private static String provision(String controllerId) {
        return publisher().contentType(ContentType.JSON).body(Map.of("controllerId", controllerId))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
    }

    /** A published version holding one firmware image (format inferred from .bin, no runtime needed). */
    private static String firmware(byte[] image) {
        String m = Api.createModel("node-fw");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "firmware.bin", image, null).then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        return m;
    }

    private static long assign(String model, String device) {
        return publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "device", device))
                .post("/api/v1/deployments").then().statusCode(201).body("assigned", equalTo(1))
                .extract().jsonPath().getLong("actions[0].id");
    }

    private static List<String> history(long action) {
        List<List<String>> all = viewer().get("/api/v1/actions/{id}/status", action).then().statusCode(200)
                .extract().jsonPath().getList("messages");
        return all.stream().flatMap(List::stream).toList();
    }

    @Test
    void installsAndReportsFailures() throws Exception {
        byte[] image = Api.randomBytes(150_000, 21);
        String model = firmware(image);
        String device = Api.uniqueName("node-dev");
        String token = provision(device);
        Path artifacts = Files.createTempDirectory(WORK.toAbsolutePath(), "artifacts");

        assertEquals(true, session(device, "TARGET_TOKEN", token, artifacts, "success").result().path("idle").asBoolean(),
                "first session: configData, then nothing to do");
        viewer().get("/api/v1/devices/{d}", device).then().body("attributes.product", equalTo("node-client"));

        long action = assign(model, device);
        Run install = session(device, "TARGET_TOKEN", token, artifacts, "success");
        assertEquals(0, install.exit(), install.output());
        JsonNode r = install.result();
        assertEquals(Long.toString(action), r.path("action").asText());
        assertEquals(1, r.path("chunks").asInt());
        assertEquals("[\"firmware.bin\"]", r.path("files").toString(), "a stock client gets the payload only");
        assertEquals(image.length, r.path("downloaded").asLong());
        assertArrayEquals(image, Files.readAllBytes(artifacts.resolve("firmware.bin")), "SHA-1 checked by the library too");
        viewer().get("/api/v1/actions/{id}", action).then().body("status", equalTo("finished"));
        List<String> messages = history(action);
        assertTrue(messages.contains("Progress: 1 of 2"), messages.toString());
        assertTrue(messages.contains("installed"), messages.toString());

        // The same version again, and this time the "installation" fails.
        long second = publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", "1.0.0", "device", device,
                "type", "soft")).post("/api/v1/deployments").then().statusCode(201).body("assigned", equalTo(1))
                .extract().jsonPath().getLong("actions[0].id");
        Files.delete(artifacts.resolve("firmware.bin"));
        Run failed = session(device, "TARGET_TOKEN", token, artifacts, "failure");
        assertEquals("failure", failed.result().path("reported").asText(), failed.output());
        viewer().get("/api/v1/actions/{id}", second).then().body("status", equalTo("error"));
    }

    @Test
    void resumesACutDownload() throws Exception {
        byte[] image = Api.randomBytes(120_000, 22);
        String model = firmware(image);
        String device = Api.uniqueName("node-resume");
        String token = provision(device);
        assign(model, device);
        Path artifacts = Files.createTempDirectory(WORK.toAbsolutePath(), "artifacts");
        // What a cut connection left: the first 50,000 bytes. The library asks for the rest with Range.
        Files.write(artifacts.resolve("firmware.bin"), Arrays.copyOf(image, 50_000));
        Run resumed = session(device, "TARGET_TOKEN", token, artifacts, "success");
        assertEquals(0, resumed.exit(), resumed.output());
        assertEquals(50_000, resumed.result().path("downloaded").asLong(), "resumed at the partial file's end");
        assertArrayEquals(image, Files.readAllBytes(artifacts.resolve("firmware.bin")));
    }

    @Test
    void cancelsAndUsesTheGatewayToken() throws Exception {
        String model = firmware(Api.randomBytes(3_000, 23));
        String device = Api.uniqueName("node-gw");
        Path artifacts = Files.createTempDirectory(WORK.toAbsolutePath(), "artifacts");
        // The gateway token registers the device on its first poll.
        assertTrue(session(device, "GATEWAY_TOKEN", TestServer.GATEWAY_TOKEN, artifacts, "success").result()
                .path("idle").asBoolean());
        long action = assign(model, device);
        publisher().post("/api/v1/actions/{id}/cancel", action).then().statusCode(200);
        Run canceled = session(device, "GATEWAY_TOKEN", TestServer.GATEWAY_TOKEN, artifacts, "success");
        assertEquals(Long.toString(action), canceled.result().path("canceled").asText(), canceled.output());
        viewer().get("/api/v1/actions/{id}", action).then().body("status", equalTo("canceled"));
        List<String> left = new ArrayList<>();
        try (var files = Files.list(artifacts)) {
            files.forEach(f -> left.add(f.getFileName().toString()));
        }
        assertEquals(List.of(), left, "nothing was downloaded for a canceled action");
    }
}
