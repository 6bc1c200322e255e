package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.Ports;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.json.WireJson;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.KeyFile;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real server with a root of trust made by the CLI, one registered device "cam-1", and the
 * packaged updater as a process following it; model "kws" has input x float32 [batch, 4].
 */
final class DeviceRig implements AutoCloseable {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";
    static final Duration WAIT = ServerProcess.WAIT;
    static final ObjectMapper JSON = WireJson.mapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path work;
    final ModelyardClient api;
    final int apiPort;
    private final TestPostgres db;
    private final ServerProcess server;
    private final String heap;
    private List<String> baseConfig;
    private String deviceToken;
    private Process updater;
    private int starts;

    private DeviceRig(Path work, TestPostgres db, ServerProcess server, int apiPort, String heap) {
        this.work = work;
        this.db = db;
        this.server = server;
        this.api = server.client(ADMIN);
        this.apiPort = apiPort;
        this.heap = heap;
    }

    /** Starts the server (with {@code serverEnv} added) and writes the updater's configuration with {@code updaterConfig} added. */
    static DeviceRig start(Path work, String purpose, Map<String, String> serverEnv, String heap, String... updaterConfig) throws Exception {
        for (String[] args : List.of(new String[]{"keys", "generate", "--out", "root-key.json"},
                new String[]{"keys", "generate", "--out", "release-key.json"},
                new String[]{"root", "init", "--root-key", "root-key.json", "--release-key", "release-key.json", "--out", "1.root.json"})) {
            Cli.Run r = Cli.run(work, args);
            assertEquals(0, r.code(), r.out());
        }
        TestPostgres db = TestPostgres.create(purpose);
        Map<String, String> env = new HashMap<>(Map.of("MODELYARD_ADMIN_TOKEN", ADMIN,
                "MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-key.json").toString()));
        env.putAll(serverEnv);
        ServerProcess server;
        try {
            server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "256m", env);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        DeviceRig rig = new DeviceRig(work, db, server, Ports.free(), heap);
        assertEquals(1, rig.api.trust().publishRoot(Files.readString(work.resolve("1.root.json"))).version());
        Devices.Device device = Fixtures.device(rig.api, "cam-1");
        List<String> conf = new ArrayList<>(List.of("server.url=" + server.uri(""), "tenant=default", "controller.id=cam-1",
                "token=" + device.token(), "trust.bundle=1.root.json", "data.dir=device-data",
                "api.address=127.0.0.1:" + rig.apiPort, "poll.override=1s", "threads=1"));
        rig.baseConfig = conf;
        rig.deviceToken = device.token();
        rig.configure(updaterConfig);
        return rig;
    }

    /** Rewrites the updater's configuration: the base settings plus {@code extra}; read at the next start. */
    void configure(String... extra) throws IOException {
        List<String> conf = new ArrayList<>(baseConfig);
        conf.addAll(List.of(extra));
        Files.writeString(work.resolve("updater.properties"), String.join("\n", conf) + "\n");
    }

    /** Starts the updater process; its output is appended to updater.log. */
    void startUpdater() throws IOException {
        startUpdater(new String[0]);
    }

    /** Starts the updater process with these JVM flags besides the heap; its output is appended to updater.log. */
    void startUpdater(String... jvmFlags) throws IOException {
        starts++;
        Files.writeString(log(), "---- start " + starts + " ----\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        List<String> args = new ArrayList<>(List.of("-Xmx" + heap));
        args.addAll(List.of(jvmFlags));
        args.addAll(List.of("-jar", System.getProperty("modelyard.updater.jar"), "run", "--config",
                work.resolve("updater.properties").toString()));
        updater = new ProcessBuilder(Jvm.command(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
    }

    /** The updater's {@code status} command, run as its own process as on a device; returns what it printed. */
    String status() throws Exception {
        Process p = new ProcessBuilder(Jvm.command("-jar",
                System.getProperty("modelyard.updater.jar"), "status", "--config", work.resolve("updater.properties").toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed — what a power cut does to the process. */
    void killUpdater() throws InterruptedException {
        updater.destroyForcibly();
        updater.waitFor();
    }

    boolean updaterAlive() {
        return updater != null && updater.isAlive();
    }

    Path dataDir() {
        return work.resolve("device-data");
    }

    /** The server's address, for a proxy in front of it. */
    URI serverUri(String path) {
        return server.uri(path);
    }

    /** Where the server's filesystem blob store keeps the blob {@code sha256} (its data directory is the rig's). */
    Path blobFile(String sha256) {
        return work.resolve("data").resolve("blobs").resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** One value of a query on the server's database, as an operator with database access would read it; null for no row. */
    Object queryValue(String query, Object... params) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? r.getObject(1) : null;
            }
        }
    }

    /** A GET of the management API as JSON, with the admin token: for views the API client does not model. */
    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /**
     * A GET of the device's own DDI API with its token, as the updater makes it: what the server
     * tells the device (for a deployment, the artifact it chose for it).
     */
    JsonNode ddiJson(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(server.uri("/default/controller/v1/cam-1" + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "TargetToken " + deviceToken)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** One inference of {@code model} on the device's inference API; {@code inputs} is the request's inputs object. */
    HttpResponse<String> infer(String model, Map<String, Object> inputs) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("inputs", inputs)))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the device has reported attribute {@code key} (with any value); returns the value. */
    String awaitAttribute(String key) throws Exception {
        await("the device reports " + key, WAIT, () -> api.devices().get("cam-1").attributes().containsKey(key));
        return api.devices().get("cam-1").attributes().get(key);
    }

    String updaterLog() throws IOException {
        return Files.readString(log());
    }

    private Path log() {
        return work.resolve("updater.log");
    }

    /** The server picks artifacts from what the device reports, so deploy once it has reported. */
    void awaitAttributes() throws Exception {
        await("the device reports its attributes", WAIT,
                () -> api.devices().get("cam-1").attributes().containsKey("runtime.onnxruntime"));
    }

    /** Publishes {@code version} of model kws with {@code onnx} as its file. */
    void release(String version, byte[] onnx) {
        release(version, onnx, null);
    }

    /** Publishes {@code version} with self-test vectors ({@code selfTest}: the document, or null). */
    void release(String version, byte[] onnx, Map<String, Object> selfTest) {
        Fixtures.published(api, "kws", version, "kws.onnx", Artifacts.target("onnx"), onnx, selfTest);
    }

    /**
     * Signs the metadata of {@code version}'s artifact again with the server's release key, valid
     * from {@code issued} to {@code expires}, and stores it where the server serves it from: how a
     * test gets metadata that really expired long ago without waiting for it to expire.
     */
    void resignRelease(String version, Instant issued, Instant expires) throws Exception {
        Signer signer = Signer.of(KeyFile.load(work.resolve("release-key.json"), null));
        try (Connection c = db.connect()) {
            String select = """
                    SELECT r.artifact_id, r.envelope FROM artifact_release r JOIN artifact a ON a.id = r.artifact_id
                    JOIN model_version v ON v.id = a.version_id WHERE v.version = ?""";
            UUID artifact;
            String envelope;
            try (PreparedStatement q = c.prepareStatement(select)) {
                q.setString(1, version);
                try (ResultSet r = q.executeQuery()) {
                    if (!r.next()) throw new AssertionError("no signed release for " + version);
                    artifact = r.getObject(1, UUID.class);
                    envelope = r.getString(2);
                }
            }
            ArtifactMetadata meta = ArtifactMetadata.fromMap(SignedEnvelope.parse(envelope).signed()).renewed(issued, expires);
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE artifact_release SET envelope = ?, issued_at = ?, expires_at = ? WHERE artifact_id = ?")) {
                u.setString(1, signer.sign(meta).toJson());
                u.setObject(2, java.sql.Timestamp.from(issued));
                u.setObject(3, java.sql.Timestamp.from(expires));
                u.setObject(4, artifact);
                assertEquals(1, u.executeUpdate());
            }
        }
    }

    /**
     * Runs one SQL statement on the server's database, as an operator with database access
     * would; returns the rows it changed. For states a test cannot reach through the API in
     * bounded time (a maintenance window that opens now).
     */
    int sql(String statement, Object... params) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            return ps.executeUpdate();
        }
    }

    void deploy(String version) {
        deploy("kws", version);
    }

    void deploy(String model, String version) {
        Fixtures.assign(api, model, version, "cam-1");
    }

    /** One inference with {@code rows} rows of zeros. */
    HttpResponse<String> infer(int rows) throws IOException, InterruptedException {
        String data = String.join(",", java.util.Collections.nCopies(4 * rows, "0"));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/models/kws/infer"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[" + rows
                        + ",4],\"data\":[" + data + "]}}}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The version that answered, and the first output element (the model's bias for zeros). */
    record Answer(String version, double y0) {
    }

    static Answer answer(HttpResponse<String> r) throws IOException {
        JsonNode body = JSON.readTree(r.body());
        return new Answer(body.get("version").asText(), body.path("outputs").path("y").path("data").path(0).asDouble());
    }

    void awaitServed(String version) throws Exception {
        await("the device serves " + version, WAIT, () -> {
            try {
                HttpResponse<String> r = infer(1);
                return r.statusCode() == 200 && answer(r).version().equals(version);
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** The server's record of the action deploying {@code version} to cam-1. */
    Deployments.Action action(String version) {
        return action("kws", version);
    }

    /** The server's record of the action deploying {@code model} {@code version} to cam-1. */
    Deployments.Action action(String model, String version) {
        for (Deployments.Action a : api.deployments().actions(new Deployments.Filter("cam-1", model, null, null, null, null)).items()) {
            if (a.version().equals(version)) return a;
        }
        throw new AssertionError("no action for " + version);
    }

    /** The serving health the server holds for the action's model (kws); fails when it holds none. */
    Deployments.Health health(long actionId) {
        List<Deployments.Health> h = api.deployments().action(actionId).health();
        assertNotNull(h, "the server holds no serving health for action " + actionId);
        assertEquals(1, h.size(), h.toString());
        assertEquals("kws", h.get(0).model());
        return h.get(0);
    }

    List<Deployments.Status> history(long actionId) {
        return api.deployments().statuses(actionId);
    }

    /** Waits until the device has closed the action for {@code version}; returns it. */
    Deployments.Action awaitClosed(String version, Duration timeout) throws Exception {
        return awaitClosed("kws", version, timeout);
    }

    /** Waits until the device has closed the action for {@code model} {@code version}; returns it. */
    Deployments.Action awaitClosed(String model, String version, Duration timeout) throws Exception {
        await("the device closes the action for " + model + " " + version, timeout, () -> !action(model, version).active());
        return action(model, version);
    }

    /** How many times the history of the action says it ended (finished or failed). */
    long closings(String version) throws Exception {
        long n = 0;
        for (Deployments.Status s : history(action(version).id())) {
            String t = s.type();
            if (t.equals("finished") || t.equals("error")) n++;
        }
        return n;
    }

    boolean historyHas(String version, Predicate<Deployments.Status> entry) {
        for (Deployments.Status s : history(action(version).id())) if (entry.test(s)) return true;
        return false;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    void await(String what, Duration timeout, Check check) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (check.ok()) return;
            Thread.sleep(5);
        }
        throw new AssertionError("timed out waiting until " + what + "\nupdater log:\n" + Files.readString(log())
                + "\nactions: " + api.deployments().actions(Deployments.Filter.device("cam-1")));
    }

    @Override
    public void close() throws Exception {
        try {
            if (updater != null && updater.isAlive()) {
                updater.destroy();
                if (!updater.waitFor(20, TimeUnit.SECONDS)) updater.destroyForcibly();
            }
            server.close();
        } finally {
            db.close();
        }
    }
}
