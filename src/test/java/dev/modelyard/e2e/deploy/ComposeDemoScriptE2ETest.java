package dev.modelyard.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.e2e.FreshServer;
import dev.modelyard.e2e.Jvm;
import dev.modelyard.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker Compose stack's demo services, run for real on this machine: their script
 * (demo/docker/compose-demo.sh) provisions against the packaged server with the demo's jar, then
 * Modelyard's updater runs with the configuration the script wrote, the script's deploy phase
 * assigns the model, and the device answers with it. Only
 * the paths differ from the containers (the script's variables for that); every command, request
 * and file is the one Compose runs.
 */
class ComposeDemoScriptE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_compose_demo", "256m", Map.of());

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoServiceProvisionsTheDeviceAndItsUpdaterServesTheModel(@TempDir Path dir) throws Exception {
        int apiPort = Ports.free();
        Path device = Files.createDirectories(dir.resolve("device"));
        Path mqttPassword = dir.resolve("device.password");
        Files.writeString(mqttPassword, "not-checked-by-an-anonymous-broker\n");
        Map<String, String> env = new HashMap<>();
        env.put("MODELYARD_SERVER", server.process().uri("").toString());
        env.put("MODELYARD_TOKEN", FreshServer.ADMIN);
        env.put("DEMO_DEVICE_ID", "compose-demo-1");
        env.put("DEMO_JAR", System.getProperty("modelyard.demo.jar"));
        env.put("DEMO_STATE_DIR", Files.createDirectories(dir.resolve("state")).toString());
        env.put("DEVICE_CONFIG_DIR", device.toString());
        env.put("DEVICE_DATA_DIR", dir.resolve("device-data").toString());
        env.put("DEVICE_API_ADDRESS", "127.0.0.1:" + apiPort);
        env.put("DEVICE_MQTT_URL", "tcp://127.0.0.1:1883");
        env.put("DEVICE_MQTT_PASSWORD_FILE", mqttPassword.toString());

        runScript(env, "provision", dir.resolve("provision-1.log"));
        Properties conf = new Properties();
        try (var in = Files.newBufferedReader(device.resolve("updater.properties"))) {
            conf.load(in);
        }
        assertEquals("compose-demo-1", conf.getProperty("controller.id"));
        assertTrue(Files.size(device.resolve("trust-bundle.json")) > 0);
        String token = Files.readString(device.resolve("token"));
        JsonNode version = JSON.readTree(get(server.process().uri("/api/v1/models/demo-classifier/versions/1.0.0")).body());
        assertEquals("published", version.path("status").asText(), version.toString());

        // A second run (a restarted stack) keeps what the first one made.
        runScript(env, "provision", dir.resolve("provision-2.log"));
        assertEquals(token, Files.readString(device.resolve("token")));

        Process updater = new ProcessBuilder(Jvm.command("-Xmx128m",
                "-jar", System.getProperty("modelyard.updater.jar"), "run", "--config", device.resolve("updater.properties").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("updater.log").toFile()).start();
        try {
            // The deploy phase waits for the device to report its runtimes, then assigns; run twice, it assigns once.
            runScript(env, "deploy", dir.resolve("deploy-1.log"));
            awaitServed(apiPort, dir.resolve("updater.log"));
            runScript(env, "deploy", dir.resolve("deploy-2.log"));
            JsonNode actions = JSON.readTree(get(server.process().uri("/api/v1/actions?device=compose-demo-1")).body());
            assertEquals(1, actions.path("total").asInt(), actions.toString());
        } finally {
            updater.destroy();
            if (!updater.waitFor(30, TimeUnit.SECONDS)) updater.destroyForcibly().waitFor();
        }
    }

    private static void runScript(Map<String, String> env, String phase, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Repository.root().resolve("demo/docker/compose-demo.sh").toString(), phase)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("compose-demo.sh " + phase + " did not finish within " + WAIT + ":\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "compose-demo.sh " + phase + " failed:\n" + Files.readString(log));
    }

    /** Waits until the device answers the demo's flower with demo-classifier 1.0.0 (as the script's last line suggests). */
    private static void awaitServed(int apiPort, Path log) throws Exception {
        HttpRequest infer = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/models/demo-classifier/infer"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":{\"features\":{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[5.9,3.0,5.1,1.8]}}}"))
                .build();
        Instant deadline = Instant.now().plus(WAIT);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = HTTP.send(infer, HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && "1.0.0".equals(JSON.readTree(r.body()).path("version").asText())) return;
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the device did not serve demo-classifier 1.0.0 within " + WAIT + " (last: " + last + "); updater log:\n"
                + Files.readString(log));
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + FreshServer.ADMIN).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
