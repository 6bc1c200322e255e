package dev.modelyard.device.ddi;

import static dev.modelyard.device.Deltas.delta;
import static dev.modelyard.device.Deltas.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelyard.device.Deltas;
import dev.modelyard.device.SignedReleases;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.ddi.ConfigData;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.Link;
import dev.modelyard.wire.ddi.Links;
import dev.modelyard.wire.json.WireJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The updater's whole cycle against a small real DDI server on loopback: a device serving v1 of a
 * real ONNX model is offered v2 with a delta from v1; it reports what it serves, rebuilds v2,
 * verifies it against the signed metadata, serves it, and reports how it got it.
 */
class UpdaterDeltaTest {

    static final String TENANT = "default";
    static final String DEVICE = "cam-1";
    static final byte[] V1 = OnnxModels.mlp(4, 64, 2, 4, 7, 1f);
    static final byte[] V2 = Deltas.someWeightsChanged(OnnxModels.mlp(4, 64, 2, 4, 7, 2f));

    @TempDir
    Path dir;
    final ObjectMapper json = WireJson.mapper();
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<Map<String, String>> configData = new CopyOnWriteArrayList<>();
    final List<Feedback> feedback = new CopyOnWriteArrayList<>();
    final List<String> downloads = new CopyOnWriteArrayList<>();
    /** Whether the server fails the feedback that reports the download (the device must go on). */
    final AtomicBoolean failDownloaded = new AtomicBoolean();
    /** Whether the server refuses (400) every feedback that carries transfer reports. */
    final AtomicBoolean rejectTransfers = new AtomicBoolean();
    /** The device's attributes as the server holds them, each report applied in its mode as the server applies it. */
    final Map<String, String> held = new java.util.TreeMap<>();
    HttpServer server;
    ModelRuntime runtime;
    Installer installer;
    ActionJournal journal;
    SignedReleases signing;
    byte[] delta;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", this::serve);
        server.start();
        signing = new SignedReleases();
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        installer = new Installer(new ModelStore(dir.resolve("models")), runtime, signing.trust(), SignedReleases.DEVICE, TENANT,
                Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
        journal = new ActionJournal(dir.resolve("actions.json"));
        SignedReleases.Release v1 = signing.release(dir, "1.0.0", 1, V1);
        installer.install("kws", installer.checkRelease("kws", v1.json(), null), v1.file(), SelfTest.NONE);
        SignedReleases.Release v2 = signing.release(dir, "2.0.0", 2, V2);
        files.put("kws.onnx", V2);
        files.put("kws.onnx.release.json", v2.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        delta = delta(V1, V2);
        files.put("kws.onnx.1.mydelta", delta);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        runtime.close();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String controller = "/" + TENANT + "/controller/v1/" + DEVICE;
            byte[] body = null;
            if (path.startsWith("/files/")) {
                String name = path.substring("/files/".length());
                downloads.add(name);
                body = files.get(name);
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
            } else if (path.equals(controller)) {
                boolean open = feedback.stream().noneMatch(f -> f.status().execution().equals("closed"));
                Map<String, Link> links = open ? Map.of(Links.DEPLOYMENT_BASE, new Link(base() + controller + "/deploymentBase/41"))
                        : Map.of();
                body = json.writeValueAsBytes(ControllerBase.of(Duration.ofMinutes(10), links));
            } else if (path.equals(controller + "/configData")) {
                ConfigData c = json.readValue(ex.getRequestBody(), ConfigData.class);
                configData.add(c.data());
                synchronized (held) {
                    switch (ConfigData.Mode.parse(c.mode())) {
                        case MERGE -> held.putAll(c.data());
                        case REPLACE -> {
                            held.clear();
                            held.putAll(c.data());
                        }
                        case REMOVE -> c.data().keySet().forEach(held::remove);
                    }
                }
            } else if (path.equals(controller + "/deploymentBase/41")) {
                body = json.writeValueAsBytes(deployment());
            } else if (path.equals(controller + "/deploymentBase/41/feedback")) {
                Feedback f = json.readValue(ex.getRequestBody(), Feedback.class);
                if (rejectTransfers.get() && !f.transfers().isEmpty()) {
                    ex.sendResponseHeaders(400, -1);
                    return;
                }
                if (f.status().execution().equals("downloaded") && failDownloaded.get()) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                feedback.add(f);
            } else {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (body == null) {
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/hal+json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        }
    }

    private DeploymentBase deployment() {
        Map<String, Link> full = Map.of(Links.DOWNLOAD, new Link(base() + "/files/kws.onnx"));
        Map<String, Link> release = Map.of(Links.DOWNLOAD, new Link(base() + "/files/kws.onnx.release.json"));
        Map<String, Link> deltaLink = Map.of(Links.DOWNLOAD, new Link(base() + "/files/kws.onnx.1.mydelta"));
        DeploymentBase.Chunk chunk = new DeploymentBase.Chunk("model", "2.0.0", "kws", List.of(
                new DeploymentBase.Artifact("kws.onnx", new DeploymentBase.Hashes(null, null, sha256(V2)), V2.length, full),
                new DeploymentBase.Artifact("kws.onnx.release.json", null, files.get("kws.onnx.release.json").length, release)),
                List.of(new DeploymentBase.KeyValue("model", "kws")),
                List.of(new DeploymentBase.Delta("kws.onnx.1.mydelta", "kws.onnx", sha256(V1), "test-xor", 1, delta.length,
                        new DeploymentBase.Hashes(null, null, sha256(delta)), deltaLink)));
        return new DeploymentBase("41", new DeploymentBase.Deployment(DeploymentBase.FORCED, DeploymentBase.FORCED, List.of(chunk), null),
                null);
    }

    private Updater updater(boolean deltas) {
        HttpClient http = HttpClient.newHttpClient();
        return new Updater(new DdiClient(URI.create(base()), TENANT, DEVICE, "TargetToken t", Duration.ofSeconds(30)),
                new Downloader(http, Duration.ofSeconds(30)), installer, journal,
                new HealthWatch(journal, installer, runtime, HealthPolicy.OFF, Clock.systemUTC(), System::nanoTime),
                dir.resolve("downloads"), () -> Map.of(DeviceAttributes.ARCH, "x86_64"),
                new PollSchedule(Optional.empty(), Optional.empty()), deltas);
    }

    private float served() throws Exception {
        return ((float[]) runtime.infer("kws", Map.of("x", Tensor.of(new float[]{0, 0, 0, 0}, 1, 4))).outputs().get("y").data())[0];
    }

    private Feedback one(String execution) {
        List<Feedback> found = feedback.stream().filter(f -> f.status().execution().equals(execution)).toList();
        assertEquals(1, found.size(), execution + " feedback: " + found);
        return found.get(0);
    }

    @Test
    void aDeviceServingV1RebuildsV2FromADeltaAndReportsWhatItServesAndHowItGotIt() throws Exception {
        Updater updater = updater(true);
        updater.cycle();

        assertEquals(2f, served());
        assertEquals(List.of("kws.onnx.release.json", "kws.onnx.1.mydelta"), downloads, "the full file is never downloaded");
        Feedback.Transfer expected = new Feedback.Transfer("kws.onnx", Feedback.Transfer.DELTA, "test-xor", sha256(V1), delta.length,
                V2.length, null);
        assertEquals(List.of(expected), one("downloaded").transfers());
        Feedback closed = one("closed");
        assertEquals("success", closed.status().result().finished());
        assertEquals(List.of(), closed.transfers(), "acknowledged with the download: not sent again");

        assertEquals(2, configData.size(), "at the start, and once more after the installation changed what is served");
        assertEquals(DeviceAttributes.DELTA_FORMATS, configData.get(0).get(DeviceAttributes.DELTA));
        assertEquals(sha256(V1), configData.get(0).get(DeviceAttributes.INSTALLED_PREFIX + "kws"));
        assertEquals(sha256(V2), configData.get(1).get(DeviceAttributes.INSTALLED_PREFIX + "kws"));
        assertEquals("x86_64", configData.get(1).get(DeviceAttributes.ARCH));

        updater.cycle();
        assertEquals(2, configData.size(), "nothing changed: not reported again");
        installer.rollback("kws");
        updater.cycle();
        assertEquals(3, configData.size(), "a rollback changed what is served");
        assertEquals(sha256(V1), configData.get(2).get(DeviceAttributes.INSTALLED_PREFIX + "kws"));
    }

    @Test
    void aCorruptedDeltaEndsInTheVerifiedFullFileAndTheServerHearsWhy() throws Exception {
        byte[] bad = delta.clone();
        int body = Deltas.middleOfBody(bad);
        for (int i = body; i < body + 8; i++) bad[i] ^= 0x77;
        delta = bad; // the deployment's digest is of the bad bytes: the server's copy is damaged
        files.put("kws.onnx.1.mydelta", bad);

        updater(true).cycle();

        assertEquals(2f, served());
        assertEquals(List.of("kws.onnx.release.json", "kws.onnx.1.mydelta", "kws.onnx"), downloads);
        Feedback.Transfer t = one("downloaded").transfers().get(0);
        assertEquals(Feedback.Transfer.FULL, t.kind());
        assertEquals(bad.length + V2.length, t.bytes());
        String because = "delta from " + sha256(V1).substring(0, 12) + " failed (";
        assertTrue(t.fallback().startsWith(because), t.fallback());
        assertTrue(feedback.stream().anyMatch(f -> f.status().execution().equals("download")
                && f.status().details().get(0).startsWith(because) && f.status().details().get(0).endsWith("downloading the full file")),
                "the fallback is told as it happens: " + feedback);
        assertEquals("success", one("closed").status().result().finished());
    }

    @Test
    void aLostDownloadReportTravelsWithTheClosingOneAndIsKeptWithTheAction() throws Exception {
        failDownloaded.set(true);

        updater(true).cycle();

        assertEquals(2f, served());
        Feedback closed = one("closed");
        assertEquals("success", closed.status().result().finished());
        assertEquals(Feedback.Transfer.DELTA, closed.transfers().get(0).kind());
        assertEquals(closed.transfers(), new ActionJournal(dir.resolve("actions.json")).transfers("41"),
                "a closing report sent again carries it too");
    }

    @Test
    void aClosingReportRefusedForItsTransfersIsSentWithoutThemAndClosesTheAction() throws Exception {
        rejectTransfers.set(true);

        updater(true).cycle();

        assertEquals(2f, served());
        Feedback closed = one("closed");
        assertEquals("success", closed.status().result().finished());
        assertEquals(List.of(), closed.transfers(), "sent again without the extension the server refused");
        assertTrue(feedback.stream().noneMatch(f -> !f.transfers().isEmpty()), "every report with transfers was refused: " + feedback);
    }

    @Test
    void reportsMergeWithWhatTheOperatorGaveTheDeviceAndTheInstalledFileFollowsTheInstallation() throws Exception {
        // Given at registration by an operator (groups and rollouts select on it), and an old report.
        held.put("site", "berlin");
        held.put(DeviceAttributes.ARCH, "armv7");

        updater(true).cycle();

        assertEquals(Map.of("site", "berlin", DeviceAttributes.ARCH, "x86_64", DeviceAttributes.DELTA,
                DeviceAttributes.DELTA_FORMATS, DeviceAttributes.INSTALLED_PREFIX + "kws", sha256(V2)), held);
    }

    @Test
    void anUpdaterWithDeltasOffWithdrawsItsEarlierDeltaAnnouncement() throws Exception {
        held.put("site", "berlin");
        held.put(DeviceAttributes.DELTA, DeviceAttributes.DELTA_FORMATS); // announced while deltas were on

        updater(false).cycle();

        assertNull(held.get(DeviceAttributes.DELTA));
        assertEquals("berlin", held.get("site"));
        assertEquals(sha256(V2), held.get(DeviceAttributes.INSTALLED_PREFIX + "kws"));
    }

    @Test
    void withDeltasDisabledTheDeviceNeitherAnnouncesThemNorTakesThem() throws Exception {
        updater(false).cycle();

        assertEquals(2f, served());
        assertEquals(List.of("kws.onnx.release.json", "kws.onnx"), downloads);
        assertNull(configData.get(0).get(DeviceAttributes.DELTA));
        assertEquals(sha256(V1), configData.get(0).get(DeviceAttributes.INSTALLED_PREFIX + "kws"));
        assertEquals(new Feedback.Transfer("kws.onnx", Feedback.Transfer.FULL, null, null, V2.length, V2.length, null),
                one("downloaded").transfers().get(0));
    }
}
