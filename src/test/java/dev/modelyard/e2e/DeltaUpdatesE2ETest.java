package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Devices;
import dev.modelyard.client.Rollouts;
import dev.modelyard.client.Rollouts.NewRollout;
import dev.modelyard.client.Rollouts.Phase;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta updates with every part real: the packaged server builds deltas and compressed full files
 * in the background, the packaged updater downloads them over DDI (through a proxy that can cut a
 * download), rebuilds the model from the file it serves and verifies it against the signed
 * release metadata before it swaps it in. One server and two devices go through, in order: a
 * first install (compressed full file), a delta through a rollout of both devices (the rollout's
 * transfer totals), a delta whose download is cut (resumed, verified), and a delta whose bytes
 * are corrupt on the server (the device falls back to the whole file, compressed or not, and says why).
 *
 * <p>The model is an MLP of about 3 MiB whose versions differ in their last layers: new weights
 * and a new bias. An input of zeros answers the bias, so every inference proves which version's
 * bytes the device runs; the verification against the signed metadata proves the rest.
 */
class DeltaUpdatesE2ETest {

    private static final Duration WAIT = DeviceRig.WAIT;
    private static final Pattern DELTA_DOWNLOAD = Pattern.compile(".*/kws\\.onnx\\.[0-9a-f-]+\\.mydelta");

    @TempDir
    Path work;

    /**
     * Version {@code n} of the model: the weights of version 1 with the last {@code changedLayers}
     * weight matrices drawn anew (seeded by {@code n}), and a bias of {@code n}. Zeros in give the
     * bias out whatever the weights (the hidden layers end in ReLU of zero), so an inference tells
     * which version's bytes run.
     */
    private static byte[] model(int n, int changedLayers) {
        byte[] onnx = OnnxModels.mlp(4, 512, LAYERS, 4, 17L, n);
        for (int l = LAYERS; l > LAYERS - changedLayers; l--) redraw(onnx, "w" + l, n);
        return onnx;
    }

    private static final int LAYERS = 4;

    /**
     * Draws the float32 elements of initializer {@code name} anew, in place: its raw_data keeps its
     * length, so the file stays valid ONNX (OnnxModels writes name (field 8), then raw_data (field 9)).
     */
    private static void redraw(byte[] onnx, String name, long seed) {
        byte[] id = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] marker = new byte[id.length + 3];
        marker[0] = (8 << 3) | 2; // field 8 (name), length-delimited
        marker[1] = (byte) id.length;
        System.arraycopy(id, 0, marker, 2, id.length);
        marker[marker.length - 1] = (9 << 3) | 2; // field 9 (raw_data), length-delimited
        int at = indexOf(onnx, marker);
        assertTrue(at >= 0, "no initializer " + name);
        int p = at + marker.length;
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = onnx[p++];
            length |= (long) (b & 0x7F) << shift;
            if (b >= 0) break;
        }
        ByteBuffer raw = ByteBuffer.wrap(onnx, p, (int) length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.Random random = new java.util.Random(seed * 31 + name.hashCode());
        while (raw.remaining() >= 4) raw.putFloat((random.nextFloat() * 2 - 1) * 0.06f);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void devicesDownloadOnlyWhatChangedAndEndVerifiedWhateverGoesWrong() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_delta", Map.of(), "128m", "health.window=0s");
             CuttingProxy proxy = new CuttingProxy(new InetSocketAddress("127.0.0.1", rig.serverUri("").getPort()))) {
            // cam-1 talks to the server through the proxy, which can cut its downloads.
            rig.configure("health.window=0s", "server.url=http://127.0.0.1:" + proxy.port());
            rig.startUpdater();
            SecondDevice cam2 = SecondDevice.start(rig, work);
            try {
                rig.awaitAttributes();
                long full = model(1, 0).length;

                // 1. First install: the compressed full file, once the server has built it.
                rig.release("1.0.0", model(1, 0));
                JsonNode compressed = awaitReady(rig, "1.0.0", null);
                assertTrue(compressed.path("size").asLong() < full, compressed.toString());
                rig.deploy("1.0.0");
                Fixtures.assign(rig.api, "kws", "1.0.0", "cam-2");
                assertServes(rig, rig.apiPort, "1.0.0", 1);
                assertServes(rig, cam2.apiPort, "1.0.0", 1);
                JsonNode first = awaitTransfer(rig, rig.action("1.0.0").id());
                assertEquals("compressed", first.path("kind").asText(), first.toString());
                assertEquals(full, first.path("fullBytes").asLong(), first.toString());
                assertEquals(compressed.path("size").asLong(), first.path("bytes").asLong(), "the device downloaded the compressed file once");
                assertTrue(first.path("fallback").isMissingNode() || first.path("fallback").isNull(), first.toString());

                // 2. A new last layer through a rollout of both devices: each downloads the delta from 1.0.0.
                rig.release("2.0.0", model(2, 1));
                JsonNode delta2 = awaitReady(rig, "2.0.0", sha256Of(rig, "1.0.0"));
                assertTrue(delta2.path("size").asLong() < full / 10, "a change of the last layer (8 KiB of 3 MiB) is a small delta: " + delta2);
                Rollouts.Rollout rollout = rig.api.rollouts().create(NewRollout.of("delta-2", "kws", "2.0.0", "controllerId==cam-*")
                        .phases(Phase.percent("all", 100).success(100, 2)).started());
                rig.await("the rollout of 2.0.0 succeeds", WAIT, () -> rig.api.rollouts().get(rollout.id()).state().equals("succeeded"));
                assertServes(rig, rig.apiPort, "2.0.0", 2);
                assertServes(rig, cam2.apiPort, "2.0.0", 2);
                long bytes = 0;
                long fullBytes = 0;
                for (Rollouts.RolloutDevice d : rig.api.rollouts().devices(rollout.id(), Rollouts.DeviceFilter.all()).items()) {
                    JsonNode t = awaitTransfer(rig, d.actionId());
                    assertEquals("delta", t.path("kind").asText(), d.device() + ": " + t);
                    assertEquals(delta2.path("size").asLong(), t.path("bytes").asLong(), d.device() + ": " + t);
                    assertEquals(full, t.path("fullBytes").asLong(), d.device() + ": " + t);
                    assertEquals(full - t.path("bytes").asLong(), t.path("savedBytes").asLong(), d.device() + ": " + t);
                    bytes += t.path("bytes").asLong();
                    fullBytes += t.path("fullBytes").asLong();
                }
                assertTrue(rig.historyHas("2.0.0", s -> s.messages().stream().anyMatch(m -> m.startsWith("transfer: delta"))),
                        "the action's history has the device's transfer line: " + rig.history(rig.action("2.0.0").id()));
                JsonNode totals = rig.getJson("/api/v1/rollouts/" + rollout.id()).path("transfer");
                assertEquals(2, totals.path("reported").asLong(), totals.toString());
                assertEquals(bytes, totals.path("bytes").asLong(), totals.toString());
                assertEquals(fullBytes, totals.path("fullBytes").asLong(), totals.toString());
                assertEquals(fullBytes - bytes, totals.path("savedBytes").asLong(), totals.toString());
                assertEquals(2, totals.path("byKind").path("delta").asLong(), totals.toString());
                cam2.close();

                // 3. The delta's download is cut halfway, once: the device resumes it and ends verified on 3.0.0.
                rig.release("3.0.0", model(3, 2));
                JsonNode delta3 = awaitReady(rig, "3.0.0", sha256Of(rig, "2.0.0"));
                long size3 = delta3.path("size").asLong();
                assertTrue(size3 > 64 * 1024 && size3 < full / 2, "two new layers (1 MiB): a delta worth cutting: " + delta3);
                proxy.cutOnce(DELTA_DOWNLOAD, size3 / 2);
                rig.deploy("3.0.0");
                assertServes(rig, rig.apiPort, "3.0.0", 3);
                assertTrue(proxy.didCut(), "the proxy cut the delta's download; requests: " + proxy.requests().stream()
                        .map(h -> h.substring(0, h.indexOf('\n') < 0 ? h.length() : h.indexOf('\n'))).toList());
                // Heads as the proxy forwarded them: "GET <path> HTTP/1.1" and the header lines.
                List<String> gets = proxy.requests().stream().filter(h -> h.startsWith("GET ")
                        && DELTA_DOWNLOAD.matcher(h.split(" ")[1]).matches()).toList();
                assertTrue(gets.size() >= 2 && gets.stream().skip(1).anyMatch(h -> h.toLowerCase().contains("\nrange: bytes=")),
                        "the device came back for the rest of the delta with a Range request: " + gets);
                JsonNode third = awaitTransfer(rig, rig.action("3.0.0").id());
                assertEquals("delta", third.path("kind").asText(), third.toString());
                assertTrue(third.path("bytes").asLong() < size3 + size3 / 2,
                        "the resumed download did not start again from the first byte: " + third);

                // 4. The delta's bytes are corrupt in the server's blob store: the device refuses them,
                //    downloads the full file, and says why.
                rig.release("4.0.0", model(4, 1));
                JsonNode delta4 = awaitReady(rig, "4.0.0", sha256Of(rig, "3.0.0"));
                String blob = (String) rig.queryValue("SELECT blob_sha256 FROM artifact_delta WHERE id = ?::uuid",
                        delta4.path("id").asText());
                assertNotNull(blob, delta4.toString());
                flipBytes(rig.blobFile(blob.trim()));
                rig.deploy("4.0.0");
                assertServes(rig, rig.apiPort, "4.0.0", 4);
                JsonNode fourth = awaitTransfer(rig, rig.action("4.0.0").id());
                // The next way is the whole file: compressed when the server has built that, else as it is.
                String kind = fourth.path("kind").asText();
                assertTrue(kind.equals("compressed") || kind.equals("full"), fourth.toString());
                String fallback = fourth.path("fallback").asText("");
                assertTrue(fallback.contains(delta4.path("id").asText()) || fallback.contains("delta"),
                        "the fallback names the delta that failed: " + fourth);
                assertTrue(fourth.path("bytes").asLong() > delta4.path("size").asLong(),
                        "the bytes count the failed delta and the whole file: " + fourth);
                assertTrue(rig.historyHas("4.0.0", s -> s.messages().stream().anyMatch(m -> m.startsWith("transfer: " + kind)
                                && m.contains("failed"))),
                        "the history has the fallback's transfer line: " + rig.history(rig.action("4.0.0").id()));
            } finally {
                cam2.close();
            }
        }
    }

    /** The newest-first delta list of {@code version}'s artifact; waits until the one from {@code base} (null: no base) is READY. */
    private static JsonNode awaitReady(DeviceRig rig, String version, String base) throws Exception {
        String path = "/api/v1/models/kws/versions/" + version + "/artifacts/kws.onnx/deltas";
        JsonNode[] ready = new JsonNode[1];
        rig.await("the server builds the " + (base == null ? "compressed full file" : "delta from " + base) + " of " + version,
                WAIT, () -> {
                    for (JsonNode d : rig.getJson(path).path("items")) {
                        boolean sameBase = base == null ? d.path("baseSha256").isNull() || d.path("baseSha256").isMissingNode()
                                : base.equals(d.path("baseSha256").asText());
                        if (!sameBase) continue;
                        String status = d.path("status").asText().toUpperCase(java.util.Locale.ROOT);
                        if (status.equals("FAILED") || status.equals("USELESS")) throw new AssertionError("the delta ended " + d);
                        if (status.equals("READY")) {
                            ready[0] = d;
                            return true;
                        }
                    }
                    return false;
                });
        return ready[0];
    }

    private static String sha256Of(DeviceRig rig, String version) {
        return rig.api.artifacts().get("kws", version, "kws.onnx").sha256();
    }

    /** Waits until the device's transfer report for the action is stored; returns the action's {@code transfer}. */
    private static JsonNode awaitTransfer(DeviceRig rig, long actionId) throws Exception {
        JsonNode[] transfer = new JsonNode[1];
        rig.await("the transfer of action " + actionId + " is reported", WAIT, () -> {
            transfer[0] = rig.getJson("/api/v1/actions/" + actionId).path("transfer");
            return transfer[0].isObject();
        });
        return transfer[0];
    }

    /** Waits until the device on {@code apiPort} answers with {@code version}, whose output for zeros is its bias. */
    private static void assertServes(DeviceRig rig, int apiPort, String version, int bias) throws Exception {
        HttpResponse<String>[] last = new HttpResponse[1];
        rig.await("the device on " + apiPort + " serves " + version, WAIT, () -> {
            try {
                last[0] = infer(apiPort);
                return last[0].statusCode() == 200 && DeviceRig.answer(last[0]).version().equals(version);
            } catch (IOException notYet) {
                return false;
            }
        });
        assertEquals(bias, DeviceRig.answer(last[0]).y0(), 0.0, "the device runs the bytes of " + version);
    }

    private static HttpResponse<String> infer(int apiPort) throws IOException, InterruptedException {
        String data = String.join(",", Collections.nCopies(4, "0"));
        return DeviceRig.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/models/kws/infer"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":["
                        + data + "]}}}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Inverts 16 bytes in the middle of the file, in place: what a bad disk or a bad copy leaves behind. */
    private static void flipBytes(Path file) throws IOException {
        file.toFile().setWritable(true);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = Math.max(0, ch.size() / 2 - 8);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(16, ch.size()));
            ch.read(b, at);
            for (int i = 0; i < b.limit(); i++) b.put(i, (byte) ~b.get(i));
            b.rewind();
            ch.write(b, at);
            ch.force(true);
        }
    }

    /** A second device, cam-2: the packaged updater as a process of its own, talking to the server directly. */
    private static final class SecondDevice implements AutoCloseable {
        final int apiPort;
        private final Process process;

        private SecondDevice(int apiPort, Process process) {
            this.apiPort = apiPort;
            this.process = process;
        }

        static SecondDevice start(DeviceRig rig, Path work) throws IOException {
            Devices.Device device = Fixtures.device(rig.api, "cam-2");
            int apiPort = Ports.free();
            List<String> conf = new ArrayList<>(List.of("server.url=" + rig.serverUri(""), "tenant=default",
                    "controller.id=cam-2", "token=" + device.token(), "trust.bundle=1.root.json", "data.dir=device-data-2",
                    "api.address=127.0.0.1:" + apiPort, "poll.override=1s", "threads=1", "health.window=0s"));
            Path config = work.resolve("updater-2.properties");
            Files.writeString(config, String.join("\n", conf) + "\n");
            ProcessBuilder pb = new ProcessBuilder(Jvm.command("-Xmx128m",
                    "-jar", System.getProperty("modelyard.updater.jar"), "run", "--config", config.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("updater-2.log").toFile()));
            return new SecondDevice(apiPort, pb.start());
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
            }
        }
    }
}
