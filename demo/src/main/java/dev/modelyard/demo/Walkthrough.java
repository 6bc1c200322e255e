package dev.modelyard.demo;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's story, step by step, with every part real: the server and the updater are the
 * packaged jars as processes, the trust root comes from the key tooling, the model runs in ONNX
 * Runtime on the device. Each wait is for a condition, with a deadline long enough for a busy
 * machine.
 */
final class Walkthrough {

    static final String DEVICE = "demo-cam-1";
    /** How often the server tells devices to poll: short, so the demo does not wait. */
    static final String POLLING_SLEEP = "PT5S";
    /** How long the device watches a new version before it confirms it (the updater's default is 60 s). */
    static final String HEALTH_WINDOW = "10s";
    private static final Duration SERVER_START = Duration.ofMinutes(3);
    private static final Duration DEVICE_START = Duration.ofMinutes(2);
    private static final Duration ROLLOUT = Duration.ofMinutes(3);
    private static final int LOG_LINES = 30;

    private final Demo.Stage stage;
    private final Narrator narrator;
    private final String adminToken = newToken();
    private final Registry registry;
    private final ModelyardClient api;
    private final Device device;
    private final List<Child> children = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    private Child server;
    private Child updater;
    private long lastActionId;

    Walkthrough(Demo.Stage stage, Narrator narrator) {
        this.stage = stage;
        this.narrator = narrator;
        this.registry = new Registry(URI.create("http://127.0.0.1:" + stage.serverPort()));
        this.api = ModelyardClient.connect(registry.base(), adminToken);
        this.device = new Device(stage.devicePort());
    }

    void run() throws Exception {
        narrator.detail("Modelyard demo: a registry server, a device and a model, all on this machine (files in "
                + stage.dataDir() + "/)");
        narrator.say("1/6 root of trust: a root key (offline in real life) signs root metadata v1, which trusts the server's release key");
        Trust trust = Trust.create(Files.createDirectories(stage.dataDir().resolve("trust")), narrator);
        startServer(trust);
        startDevice(trust);
        release(SampleModel.first());
        deploy(SampleModel.first(), null);
        Traffic.Counts swap;
        try (Traffic traffic = Traffic.start(device)) {
            release(SampleModel.second());
            deploy(SampleModel.second(), traffic);
            traffic.close();
            swap = traffic.counts();
        }
        narrator.say(String.format(Locale.ROOT, "%d requests during the swap, %d failed (%s)", swap.sent(), swap.failed(), byVersion(swap)));
        if (swap.failed() > 0) {
            throw new DemoFailure(swap.failed() + " of " + swap.sent() + " requests failed during the swap, first: " + swap.firstFailures());
        }
        narrator.say("6/6 done in " + narrator.elapsed().toSeconds() + " s");
        summary();
    }

    private void startServer(Trust trust) throws Exception {
        Path log = stage.dataDir().resolve("server.log");
        Path dir = Files.createDirectories(stage.dataDir().resolve("server"));
        writeSecret(stage.dataDir().resolve("admin-token"), adminToken);
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(stage.serverPort()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("MODELYARD_DATA_DIR", dir.toAbsolutePath().toString());
        env.put("MODELYARD_ADMIN_TOKEN", adminToken);
        env.put("MODELYARD_SIGNING_RELEASE_KEY_FILE", trust.releaseKey().toAbsolutePath().toString());
        env.put("MODELYARD_DDI_POLLING_SLEEP", POLLING_SLEEP);
        String jdbc = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        narrator.say("2/6 starting the registry server on " + registry.base() + " (log: " + log + ")");
        narrator.detail("      database: " + (jdbc == null || jdbc.isBlank() ? "the server's default (QUARKUS_DATASOURCE_JDBC_URL is not set)" : jdbc)
                + "; devices poll every " + Duration.parse(POLLING_SLEEP).toSeconds() + " s");
        server = Child.start("server", stage.serverJar(), List.of(), "256m", dir, env, log);
        children.add(server);
        Waiting.until("the server is ready (GET /q/health/ready)", SERVER_START, () -> {
            server.requireAlive();
            return registry.ready();
        });
        if (hasRoot()) {
            throw new DemoFailure("the server's database" + (jdbc == null || jdbc.isBlank() ? "" : " (" + jdbc + ")")
                    + " already holds a root of trust, from an earlier demo or setup; give the demo an empty database");
        }
        api.trust().publishRoot(Files.readString(trust.root()));
        dev.modelyard.client.Trust.Status status = api.trust().status();
        narrator.say("server ready; uploaded root v1 (POST /api/v1/trust/roots); " + describeTrust(status));
    }

    /**
     * Writes a token readable by its owner only, as the CLI writes key files: the file is created
     * with those permissions, so no other user can open it in between.
     */
    private static void writeSecret(Path file, String secret) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n");
    }

    /** Whether the uploaded root trusts the key the server signs with; a demo whose releases devices refuse stops here. */
    private static String describeTrust(dev.modelyard.client.Trust.Status status) throws DemoFailure {
        if (!status.releaseKeyTrusted()) {
            throw new DemoFailure("the root does not trust the server's release key: " + status.problems());
        }
        return "it trusts the server's release key " + status.releaseKeyId().substring(0, 12) + "…";
    }

    /** Whether the server already has a root of trust (the latest root is 404 until one is uploaded). */
    private boolean hasRoot() {
        try {
            api.trust().latestRoot();
            return true;
        } catch (ApiProblemException e) {
            if (e.status() == 404) return false;
            throw e;
        }
    }

    private void startDevice(Trust trust) throws Exception {
        Path dir = Files.createDirectories(stage.dataDir().resolve("device"));
        narrator.say("3/6 registering device " + DEVICE + " (POST /api/v1/devices) and provisioning it with its token and trust bundle");
        Devices.Device created = api.devices().create(new Devices.NewDevice(DEVICE, "demo camera", null, null, null));
        writeSecret(dir.resolve("token"), created.token());
        trust.bundle(dir.resolve("trust-bundle.json"), narrator);
        Path config = dir.resolve("updater.properties");
        Files.writeString(config, String.join("\n",
                "# Written by bin/demo; the keys are described in device-updater/dist/updater.properties.",
                "server.url=" + registry.base(),
                "tenant=default",
                "controller.id=" + DEVICE,
                "token.file=token",
                "trust.bundle=trust-bundle.json",
                "data.dir=data",
                "api.address=127.0.0.1:" + stage.devicePort(),
                "# Empty: poll as often as the server says.",
                "poll.override=",
                "threads=1",
                "health.window=" + HEALTH_WINDOW) + "\n");
        Path log = dir.resolve("updater.log");
        narrator.say("starting the device updater: inference API on 127.0.0.1:" + stage.devicePort() + " (log: " + log + ")");
        updater = Child.start("device updater", stage.updaterJar(), List.of("run", "--config", config.toAbsolutePath().toString()),
                "128m", dir, Map.of(), log);
        children.add(updater);
        List<Map<String, String>> reported = new ArrayList<>(List.of(Map.of()));
        Waiting.until("device " + DEVICE + " reports its hardware to the server", DEVICE_START, () -> {
            updater.requireAlive();
            Map<String, String> attributes = api.devices().get(DEVICE).attributes();
            reported.set(0, attributes == null ? Map.of() : attributes);
            return reported.get(0).containsKey("runtime.onnxruntime");
        });
        Map<String, String> facts = reported.get(0);
        narrator.say("device " + DEVICE + " is polling; it reported " + facts.get("arch") + ", "
                + facts.get("cpu.cores") + " cores, ONNX Runtime " + facts.get("runtime.onnxruntime"));
    }

    /** Builds the version's ONNX file, uploads it with self-test vectors, and publishes it (the server signs it). */
    private void release(SampleModel model) throws Exception {
        boolean first = model.version().equals(SampleModel.first().version());
        narrator.say((first ? "4/6 " : "5/6 ") + SampleModel.NAME + " " + model.version() + " (" + model.changelog() + ")");
        byte[] onnx = model.onnx();
        Path file = Files.createDirectories(stage.dataDir().resolve("models"))
                .resolve(SampleModel.NAME + "-" + model.version() + ".onnx");
        Files.write(file, onnx);
        if (first) {
            api.models().create(new Models.NewModel(SampleModel.NAME,
                    "Iris species from four measurements in cm: sepal length, sepal width, petal length, petal width",
                    "classification", "onnx", null));
            Files.writeString(stage.dataDir().resolve("sample-request.json"),
                    Registry.JSON.writeValueAsString(SampleModel.request(SampleModel.SAMPLE)) + "\n");
        }
        api.versions().create(SampleModel.NAME, new Versions.NewVersion(model.version(), model.changelog(), null, null, null, null));
        // With the file's SHA-256, so the server refuses bytes damaged on the way.
        Artifacts.Artifact artifact = api.artifacts().put(SampleModel.NAME, model.version(), SampleModel.NAME + ".onnx", file,
                Artifacts.target("onnx"));
        api.versions().update(SampleModel.NAME, model.version(), Versions.VersionPatch.selfTest(model.selfTest()));
        api.versions().publish(SampleModel.NAME, model.version());
        narrator.detail("      built " + file + " (" + onnx.length + " bytes: MatMul, Add, Softmax), uploaded (sha256 "
                + artifact.sha256().substring(0, 12) + "…), set 2 self-test vectors, published: the server signed it");
    }

    /** Deploys the version to the device and follows it until the device confirms it; prints the device's answer. */
    private void deploy(SampleModel model, Traffic traffic) throws Exception {
        Deployments.Assignment assignment = api.deployments().assign(Deployments.Assign.toDevice(SampleModel.NAME, model.version(), DEVICE));
        if (assignment.failed() > 0 || assignment.actions().isEmpty()) {
            String reason = assignment.actions().isEmpty() ? assignment.toString() : assignment.actions().get(0).reason();
            throw new DemoFailure("the server could not assign " + model.version() + " to " + DEVICE + ": " + reason);
        }
        long id = assignment.actions().get(0).id();
        lastActionId = id;
        narrator.say("deploying " + SampleModel.NAME + " " + model.version() + " to " + DEVICE + " (POST /api/v1/deployments: action " + id + ")"
                + (traffic == null ? "" : " while an application on the device sends requests without pause"));
        Set<Long> shown = new java.util.HashSet<>();
        boolean[] served = new boolean[1];
        Waiting.until("the device confirms " + model.version() + " (action " + id + ")", ROLLOUT, () -> {
            updater.requireAlive();
            server.requireAlive();
            showNewFeedback(id, shown);
            if (!served[0] && model.version().equals(device.serving())) {
                served[0] = true;
                narrator.say("device " + DEVICE + " is serving " + SampleModel.NAME + " " + model.version());
            }
            Deployments.Action now = api.deployments().action(id);
            String status = now.status();
            if (status.equals("error") || status.equals("canceled")) {
                throw new DemoFailure("the device refused " + model.version() + ": " + (now.reason() == null ? status : now.reason()));
            }
            return status.equals("finished");
        });
        showNewFeedback(id, shown);
        if (!served[0]) {
            String version = device.serving();
            if (!model.version().equals(version)) {
                throw new DemoFailure("action " + id + " finished but the device serves " + version + ", not " + model.version());
            }
            narrator.say("device " + DEVICE + " is serving " + SampleModel.NAME + " " + model.version());
        }
        Device.Answer answer = device.infer(SampleModel.SAMPLE);
        narrator.say("asked the device about a flower (sepal 5.9 × 3.0 cm, petal 5.1 × 1.8 cm): " + SampleModel.describe(answer.scores())
                + " from " + SampleModel.NAME + " " + answer.version());
    }

    /** Prints the device's reports on the action (DDI feedback the server keeps) that were not shown yet. */
    private void showNewFeedback(long actionId, Set<Long> shown) throws Exception {
        List<Deployments.Status> entries = new ArrayList<>(api.deployments().statuses(actionId));
        entries.sort(java.util.Comparator.comparingLong(Deployments.Status::id));
        for (Deployments.Status entry : entries) {
            if (!shown.add(entry.id())) continue;
            List<String> messages = entry.messages() == null ? List.of() : entry.messages();
            String type = entry.type();
            narrator.say("  action " + actionId + ": " + type + (messages.isEmpty() ? "" : " — " + String.join("; ", messages)));
        }
    }

    private static String byVersion(Traffic.Counts counts) {
        List<String> parts = new ArrayList<>();
        counts.byVersion().forEach((version, n) -> parts.add(n + " answered by " + version));
        return parts.isEmpty() ? "none answered" : String.join(", ", parts);
    }

    /** What is running and what to try next. */
    private void summary() {
        URI base = registry.base();
        String auth = "-H \"Authorization: Bearer $(cat " + stage.dataDir().resolve("admin-token") + ")\"";
        String api = base + "/api/v1";
        String versions = api + "/models/" + SampleModel.NAME + "/versions";
        narrator.detail("");
        narrator.detail("Running now:");
        narrator.detail("  server        " + base + "   (log: " + server.log() + ")");
        narrator.detail("  admin token   " + adminToken + "   (also in " + stage.dataDir().resolve("admin-token") + ")");
        narrator.detail("  API document  " + base + "/q/openapi");
        narrator.detail("  device        " + DEVICE + ", inference API http://127.0.0.1:" + stage.devicePort() + "   (log: " + updater.log() + ")");
        narrator.detail("");
        narrator.detail("Try:");
        narrator.detail("  curl " + auth + " " + api + "/devices");
        narrator.detail("  curl " + auth + " \"" + api + "/actions?device=" + DEVICE + "\"");
        narrator.detail("  curl " + auth + " " + api + "/actions/" + lastActionId + "/status");
        narrator.detail("  curl -H 'Content-Type: application/json' -d @" + stage.dataDir().resolve("sample-request.json") + " " + device.inferUri());
        narrator.detail("  java -jar " + stage.updaterJar() + " status --config " + stage.dataDir().resolve("device/updater.properties")
                + "   (what the device has installed)");
        narrator.detail("");
        narrator.detail("Deploy again: publish 1.2.0 (here with the 1.0.0 file; a device never goes back to a lower release) and send it to the device:");
        narrator.detail("  curl " + auth + " -H 'Content-Type: application/json' -d '{\"version\":\"1.2.0\"}' " + versions);
        narrator.detail("  curl " + auth + " -H 'Content-Type: application/octet-stream' -T " + stage.dataDir().resolve("models")
                .resolve(SampleModel.NAME + "-1.0.0.onnx") + " " + versions + "/1.2.0/artifacts/" + SampleModel.NAME + ".onnx");
        narrator.detail("  curl " + auth + " -X POST " + versions + "/1.2.0/publish");
        narrator.detail("  curl " + auth + " -H 'Content-Type: application/json' -d '{\"model\":\"" + SampleModel.NAME
                + "\",\"version\":\"1.2.0\",\"device\":\"" + DEVICE + "\"}' " + api + "/deployments");
        narrator.detail("");
        narrator.detail("Next in README.md: \"Uploading\" (your own model), \"Signing and trust\" (keys kept offline), "
                + "\"Device setup\" (a real device), \"Configuration\".");
        narrator.detail("Each run of bin/demo starts over in " + stage.dataDir() + "/; for a lasting server use bin/serve.");
    }

    /** After the story: waits until Ctrl-C stops everything, or reports a process that ended by itself. */
    int awaitEnd() throws InterruptedException {
        narrator.detail("");
        narrator.detail("Press Ctrl-C to stop the device and the server.");
        while (!stopping) {
            for (Child c : children) {
                if (!c.alive() && !stopping) {
                    narrator.say("the " + c.name() + " stopped by itself; stopping the demo. Last lines of " + c.log() + ":");
                    c.tail(LOG_LINES).forEach(narrator::detail);
                    stop();
                    return 1;
                }
            }
            Waiting.pause(500);
        }
        return 0;
    }

    /** Reports why the demo failed, with the last lines of each log, and stops everything. */
    void fail(String reason) {
        if (stopping) return;
        narrator.say("demo failed: " + reason);
        for (Child c : children) {
            narrator.detail("---- last lines of " + c.log() + " (stack frames left out) ----");
            c.tail(LOG_LINES).forEach(narrator::detail);
        }
        narrator.detail("----");
        stop();
        // Last, so it is the line a reader sees.
        narrator.say("demo failed: " + reason);
    }

    /** Stops the device first (it is the server's client), then the server; safe to call more than once. */
    void stop() {
        boolean report = !stopping && children.stream().anyMatch(Child::alive);
        stopping = true;
        if (report) narrator.say("stopping the device and the server");
        for (int i = children.size() - 1; i >= 0; i--) children.get(i).stop();
        if (report) narrator.say("stopped; their logs and data stay in " + stage.dataDir() + "/ until the next run");
    }

    private static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }
}
