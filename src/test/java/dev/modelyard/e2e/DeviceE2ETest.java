package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Page;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.Ports;
import dev.modelyard.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path, with every part real: the CLI makes the root of trust, the server signs and
 * deploys, the updater process polls over DDI, verifies, and swaps the model in ONNX Runtime
 * while a client keeps sending inference requests, none of which may fail.
 */
class DeviceE2ETest {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    private int cli(String... args) throws Exception {
        return Cli.run(work, args).code();
    }

    @Test
    void deviceFollowsAssignmentsAndSwapsWithoutAFailedRequest() throws Exception {
        assertEquals(0, cli("keys", "generate", "--out", "root-key.json"));
        assertEquals(0, cli("keys", "generate", "--out", "release-key.json"));
        assertEquals(0, cli("root", "init", "--root-key", "root-key.json", "--release-key", "release-key.json", "--out", "1.root.json"));

        try (TestPostgres db = TestPostgres.create("e2e_device");
             ServerProcess server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "256m", Map.of(
                     "MODELYARD_ADMIN_TOKEN", ADMIN,
                     "MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-key.json").toString()))) {
            ModelyardClient api = server.client(ADMIN);
            diagnostics = api;
            assertEquals(1, api.trust().publishRoot(Files.readString(work.resolve("1.root.json"))).version());
            Devices.Device device = Fixtures.device(api, "cam-1");
            int apiPort = Ports.free();
            Files.writeString(work.resolve("updater.properties"), String.join("\n",
                    "server.url=" + server.uri(""), "tenant=default", "controller.id=cam-1",
                    "token=" + device.token(), "trust.bundle=1.root.json", "data.dir=device-data",
                    "api.address=127.0.0.1:" + apiPort, "poll.override=1s", "threads=1",
                    // Confirmed as swapped in; the health window has its own test.
                    "health.window=0s"));
            Process updater = new ProcessBuilder(Jvm.command("-Xmx96m", "-jar", System.getProperty("modelyard.updater.jar"),
                    "run", "--config", work.resolve("updater.properties").toString()))
                    .redirectErrorStream(true).redirectOutput(work.resolve("updater.log").toFile()).start();
            try {
                awaitAttributes(api);
                release(api, "1.0.0", 1f);
                Fixtures.assign(api, "kws", "1.0.0", "cam-1");
                awaitServed(apiPort, "1.0.0");

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong ok = new AtomicLong();
                Map<String, Long> versions = new ConcurrentHashMap<>();
                List<String> failures = new CopyOnWriteArrayList<>();
                Thread load = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = infer(apiPort);
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                            } else {
                                versions.merge(DeviceRig.JSON.readTree(r.body()).get("version").asText(), 1L, Long::sum);
                                ok.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                load.start();
                release(api, "2.0.0", 2f);
                Fixtures.assign(api, "kws", "2.0.0", "cam-1");
                awaitServed(apiPort, "2.0.0");
                long after = ok.get();
                awaitTrue("50 more requests answered after the swap", () -> ok.get() >= after + 50);
                stop.set(true);
                load.join();

                assertEquals(List.of(), failures, "no inference request may fail during the update");
                assertTrue(versions.getOrDefault("1.0.0", 0L) > 0 && versions.getOrDefault("2.0.0", 0L) > 0, versions.toString());
                Page<Deployments.Action> actions = awaitActionsFinished(api);
                assertEquals(2, actions.total(), actions.toString());

                // A release older than the installed one: the updater would refuse it (ROLLBACK), so the
                // server refuses the assignment itself, and no action is created.
                ApiProblemException rollback = Fixtures.refused(() -> Fixtures.assign(api, "kws", "1.0.0", "cam-1"));
                assertEquals(409, rollback.status(), rollback.getMessage());
                assertEquals("release-counter-rollback", rollback.code());
                assertEquals(2, awaitActionsFinished(api).total());

                // Bytes altered in the server's store are refused after download; the model keeps serving.
                release(api, "3.0.0", 3f);
                tamperStoredArtifact(api, "3.0.0");
                Fixtures.assign(api, "kws", "3.0.0", "cam-1");
                String tampered = awaitActionError(api, "3.0.0");
                assertTrue(tampered.contains("DIGEST_MISMATCH"), tampered);
                HttpResponse<String> still = infer(apiPort);
                assertEquals("2.0.0", DeviceRig.JSON.readTree(still.body()).get("version").asText());
            } finally {
                updater.destroy();
                updater.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** Publishes a version of model kws whose output is its input plus {@code bias}. */
    private void release(ModelyardClient api, String version, float bias) {
        Fixtures.publishedOnnx(api, "kws", version, "kws.onnx", OnnxModels.addBias(bias, bias, bias, bias));
    }

    private static HttpResponse<String> infer(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/kws/infer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[0,0,0,0]}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private ModelyardClient diagnostics;

    private void awaitServed(int port, String version) throws Exception {
        Instant deadline = Instant.now().plus(DeviceRig.WAIT);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = infer(port);
                last = r.body();
                if (r.statusCode() == 200 && DeviceRig.JSON.readTree(r.body()).get("version").asText().equals(version)) return;
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the device did not serve " + version + " in time; last answer " + last
                + "\nupdater log:\n" + Files.readString(work.resolve("updater.log"))
                + "\nserver's view of the device: " + diagnostics.devices().get("cam-1")
                + "\nactions: " + diagnostics.deployments().actions(Deployments.Filter.device("cam-1")));
    }

    /** The server picks artifacts from what the device reports, so deploy once it has reported. */
    private void awaitAttributes(ModelyardClient api) throws Exception {
        awaitTrue("the device reports its attributes",
                () -> api.devices().get("cam-1").attributes().containsKey("runtime.onnxruntime"));
    }

    /** Polls {@code check} until it holds, for at most {@link DeviceRig#WAIT}. */
    private void awaitTrue(String what, DeviceRig.Check check) throws Exception {
        Instant deadline = Instant.now().plus(DeviceRig.WAIT);
        while (Instant.now().isBefore(deadline)) {
            if (check.ok()) return;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what + ":\n" + Files.readString(work.resolve("updater.log")));
    }

    /** Flips one byte of a stored artifact in place, as disk corruption or a compromised mirror would. */
    private void tamperStoredArtifact(ModelyardClient api, String version) throws Exception {
        String sha = api.artifacts().get("kws", version, "kws.onnx").sha256();
        Path blob = work.resolve("data/blobs/sha256").resolve(sha.substring(0, 2)).resolve(sha);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 2] ^= 0x01;
        Files.write(blob, bytes);
    }

    /** Waits for the device to close the action for {@code version} as failed; returns the reason it gave. */
    private String awaitActionError(ModelyardClient api, String version) throws Exception {
        String[] reason = {null};
        awaitTrue("the device refuses " + version, () -> {
            for (Deployments.Action a : api.deployments().actions(new Deployments.Filter("cam-1", "kws", null, null, null, null)).items()) {
                if (a.version().equals(version) && a.status().equals("error")) {
                    reason[0] = a.reason();
                }
            }
            return reason[0] != null;
        });
        return reason[0];
    }

    private Page<Deployments.Action> awaitActionsFinished(ModelyardClient api) throws Exception {
        List<Page<Deployments.Action>> page = new ArrayList<>(List.of(new Page<>(List.of(), 0, 0, 0)));
        awaitTrue("two actions are finished", () -> {
            page.set(0, api.deployments().actions(new Deployments.Filter("cam-1", null, "finished", null, null, null)));
            return page.get(0).total() == 2;
        });
        return page.get(0);
    }
}
