package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.ChunkDelta;
import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.delta.DeltaWriter;
import dev.modelyard.delta.PlainDelta;
import dev.modelyard.server.Api;
import dev.modelyard.server.storage.BlobLedger;
import dev.modelyard.server.storage.StagingArea;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.wire.ddi.DeviceAttributes;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deltas over DDI: which ones Modelyard's updater is offered in its chunk (only from files the
 * server knows it holds, only in formats it applies, only when small enough to be worth it),
 * that stock clients see exactly what they saw before, the delta downloads (with the artifact
 * download's rules and only for a device the module is assigned to), and the build requests a
 * device's deployment leaves behind when it holds a file no delta starts from yet.
 */
@QuarkusTest
class DdiDeltaTest {

    private static final int SIZE = 10_000;
    /** Above modelyard.delta.min-size (64 KiB). */
    private static final int BIG = 70_000;

    @Inject
    AgroalDataSource db;
    @Inject
    StagingArea staging;
    @Inject
    BlobLedger ledger;
    @Inject
    TenantContext tenants;

    private DeltaRows rows;

    @BeforeEach
    void rows() {
        rows = new DeltaRows(db, staging, ledger, tenants);
    }

    /** A payload of a published version: what the assignment answer says of it. */
    record Payload(UUID id, String sha256, long size) {
    }

    /** A model with these versions published, each one 10 kB ONNX file named m.onnx (below the size deltas are made for). */
    private static String model(String... versions) {
        return model(SIZE, versions);
    }

    /** A model with these versions published, each one ONNX file of {@code size} bytes named m.onnx. */
    private static String model(int size, String... versions) {
        String m = Api.createModel("delta");
        for (String v : versions) {
            Api.createVersion(m, v);
            Api.upload(m, v, "m.onnx", Api.onnxModel(size, v.hashCode()), null).then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        return m;
    }

    private static DdiFlowTest.Dev device(String prefix, Map<String, String> extra) {
        DdiFlowTest.Dev d = DdiFlowTest.device(prefix);
        Map<String, String> attributes = new HashMap<>(DdiFlowTest.x86(""));
        attributes.putAll(extra);
        DdiFlowTest.report(d, attributes);
        return d;
    }

    private static Map<String, String> updaterWithDeltas() {
        return Map.of(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL, DeviceAttributes.DELTA, DeviceAttributes.DELTA_FORMATS);
    }

    /** Assigns the version; the action id and its payload. */
    private static Map.Entry<Long, Payload> assign(String m, String v, DdiFlowTest.Dev d) {
        JsonPath p = DdiFlowTest.assign(m, v, d, "forced");
        return Map.entry(p.getLong("actions[0].id"), new Payload(UUID.fromString(p.getString("actions[0].artifact.id")),
                p.getString("actions[0].artifact.sha256"), p.getLong("actions[0].artifact.size")));
    }

    /** The version runs on the device: assigned and closed with success. Its payload. */
    private static Payload install(String m, String v, DdiFlowTest.Dev d) {
        Map.Entry<Long, Payload> a = assign(m, v, d);
        d.as().contentType(ContentType.JSON).body(DdiFlowTest.feedback("closed", "success", "installed"))
                .post(d.path() + "/deploymentBase/" + a.getKey() + "/feedback").then().statusCode(200);
        return a.getValue();
    }

    private static String deploymentBody(DdiFlowTest.Dev d, long action) {
        return d.as().accept("application/hal+json").get(d.path() + "/deploymentBase/" + action).then().statusCode(200)
                .extract().asString();
    }

    private static JsonPath deployment(DdiFlowTest.Dev d, long action) {
        return new JsonPath(deploymentBody(d, action));
    }

    @Test
    void theUpdaterIsOfferedDeltasFromFilesItHoldsWorthTheirSizeAndStockClientsSeeNoChange() throws Exception {
        String m = model("1.0.0", "1.1.0", "1.2.0");
        String other = model("9.0.0");
        DdiFlowTest.Dev updater = device("dlt-u", updaterWithDeltas());
        DdiFlowTest.Dev stock = device("dlt-s", Map.of(DeviceAttributes.DELTA, "1"));
        DdiFlowTest.Dev plainUpdater = device("dlt-p", Map.of(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL));
        Payload v100 = install(m, "1.0.0", stock);
        install(m, "1.0.0", plainUpdater);
        install(m, "1.0.0", updater);
        Payload v110 = install(m, "1.1.0", updater);
        Payload foreign = install(other, "9.0.0", updater);
        // The updater runs 1.1.0 by its last action and says it still holds 1.0.0, which the server gave it before.
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, v100.sha256().toUpperCase()));

        long stockAction = assign(m, "1.2.0", stock).getKey();
        long plainAction = assign(m, "1.2.0", plainUpdater).getKey();
        Map.Entry<Long, Payload> assigned = assign(m, "1.2.0", updater);
        long action = assigned.getKey();
        Payload target = assigned.getValue();
        String stockBefore = deploymentBody(stock, stockAction);
        String plainBefore = deploymentBody(plainUpdater, plainAction);

        // Ready deltas: the compressed file (60 %), from 1.1.0 (10 %), from 1.0.0 (55 %: worth it against the full
        // file, not against the compressed one the device would take instead), from another model's file (5 %).
        byte[] compressed = Api.randomBytes(6000, 1);
        byte[] from110 = Api.randomBytes(1000, 2);
        UUID compressedId = rows.put(target.id(), null, "READY", 1, "planes", compressed);
        UUID from110Id = rows.put(target.id(), v110.sha256(), "READY", 1, "onnx-tensors", from110);
        UUID from100Id = rows.put(target.id(), v100.sha256(), "READY", 1, "cdc", Api.randomBytes(5500, 3));
        rows.put(target.id(), foreign.sha256(), "READY", 1, "cdc", Api.randomBytes(500, 4));

        JsonPath dep = deployment(updater, action);
        String chunk = "deployment.chunks[0].";
        assertEquals(List.of("m.onnx." + from110Id + DeltaFormat.FILE_SUFFIX, "m.onnx." + compressedId + DeltaFormat.FILE_SUFFIX),
                dep.getList(chunk + "modelyardDeltas.filename"));
        assertEquals(List.of("m.onnx", "m.onnx"), dep.getList(chunk + "modelyardDeltas.target"));
        assertEquals(Arrays.asList(v110.sha256(), null), dep.getList(chunk + "modelyardDeltas.base"));
        assertEquals(List.of("onnx-tensors", "planes"), dep.getList(chunk + "modelyardDeltas.method"));
        assertEquals(List.of(1, 1), dep.getList(chunk + "modelyardDeltas.format"));
        assertEquals(List.of(1000, 6000), dep.getList(chunk + "modelyardDeltas.size"));
        assertEquals(DdiFlowTest.hex("SHA-256", from110), dep.getString(chunk + "modelyardDeltas[0].hashes.sha256"));
        assertEquals(DdiFlowTest.hex("SHA-1", from110), dep.getString(chunk + "modelyardDeltas[0].hashes.sha1"));
        assertEquals(DdiFlowTest.hex("MD5", from110), dep.getString(chunk + "modelyardDeltas[0].hashes.md5"));
        String href = dep.getString(chunk + "modelyardDeltas[0]._links.download-http.href");
        assertTrue(href.endsWith(updater.path() + "/softwaremodules/" + target.id() + "/artifacts/m.onnx." + from110Id
                + DeltaFormat.FILE_SUFFIX), href);
        assertEquals(href + ".MD5SUM", dep.getString(chunk + "modelyardDeltas[0]._links.md5sum-http.href"));
        // The payload and the signed files are as before: the deltas only add a way to get the payload.
        assertEquals(List.of("m.onnx", "m.onnx.release.json"), dep.getList(chunk + "artifacts.filename"));
        assertEquals(target.sha256(), dep.getString(chunk + "artifacts[0].hashes.sha256"));

        // The 1.0.0 delta becomes worth it once smaller than 90 % of the compressed file, but not in a format the
        // device does not apply.
        rows.update(from100Id, "size = ?, format = 2", 5400L);
        assertEquals(2, deployment(updater, action).getList(chunk + "modelyardDeltas").size());
        rows.update(from100Id, "format = 1");
        assertEquals(List.of(1000, 5400, 6000), deployment(updater, action).getList(chunk + "modelyardDeltas.size"));
        // Without the compressed file a delta competes with the full file only; a useless compressed file is not offered.
        rows.update(compressedId, "status = 'USELESS'");
        rows.update(from100Id, "size = 8000");
        assertEquals(List.of(1000, 8000), deployment(updater, action).getList(chunk + "modelyardDeltas.size"));
        rows.update(from100Id, "size = 9001");
        assertEquals(List.of(1000), deployment(updater, action).getList(chunk + "modelyardDeltas.size"));

        // A stock client, even one that names the attribute, and an updater that applies no delta format: byte for
        // byte the answer they had before any delta existed.
        String stockAfter = deploymentBody(stock, stockAction);
        assertEquals(stockBefore, stockAfter);
        assertFalse(stockAfter.contains("modelyard"), stockAfter);
        assertEquals(plainBefore, deploymentBody(plainUpdater, plainAction));
        assertFalse(plainBefore.contains("modelyardDeltas"), plainBefore);

        // installedBase (what the device finished) offers nothing to download instead.
        String installedHref = DdiFlowTest.poll(updater).getString("_links.installedBase.href");
        assertFalse(updater.as().get(installedHref).then().statusCode(200).extract().asString().contains("modelyardDeltas"));
    }

    /**
     * A real delta file as the builder writes one: content-defined chunks of {@code base}
     * ({@link ChunkDelta}), or without a base the target's bytes zstd-compressed ({@link PlainDelta}).
     */
    private static byte[] encode(byte[] base, byte[] target) throws IOException {
        Path dir = Files.createTempDirectory("ddi-delta");
        Path b = Files.write(dir.resolve("base"), base == null ? new byte[0] : base);
        Path t = Files.write(dir.resolve("target"), target);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeltaHeader header = new DeltaHeader(base == null ? PlainDelta.METHOD : ChunkDelta.METHOD,
                base == null ? null : Api.sha256(base), base == null ? 0 : base.length, Api.sha256(target), target.length);
        try (DeltaWriter w = new DeltaWriter(out, header, 3)) {
            if (base == null) PlainDelta.encode(t, w);
            else ChunkDelta.encode(b, t, w);
            w.finish();
        }
        return out.toByteArray();
    }

    /** What a device rebuilds from the delta it downloaded and the base it holds (null: none needed). */
    private static byte[] apply(byte[] delta, byte[] base) throws IOException {
        Path dir = Files.createTempDirectory("ddi-apply");
        Path d = Files.write(dir.resolve("delta"), delta);
        Path b = base == null ? null : Files.write(dir.resolve("base"), base);
        DeltaApplier.apply(d, b, base == null ? null : Api.sha256(base), dir.resolve("target"));
        return Files.readAllBytes(dir.resolve("target"));
    }

    @Test
    void deltaDownloadsFollowTheArtifactRulesForAssignedDevicesOnly() throws Exception {
        String m = model("2.0.0", "2.1.0");
        DdiFlowTest.Dev updater = device("dlt-d", updaterWithDeltas());
        DdiFlowTest.Dev stranger = device("dlt-x", updaterWithDeltas());
        Payload base = install(m, "2.0.0", updater);
        Map.Entry<Long, Payload> assigned = assign(m, "2.1.0", updater);
        Payload target = assigned.getValue();
        byte[] baseBytes = Api.onnxModel(SIZE, "2.0.0".hashCode());
        byte[] targetBytes = Api.onnxModel(SIZE, "2.1.0".hashCode());
        assertEquals(base.sha256(), Api.sha256(baseBytes));
        assertEquals(target.sha256(), Api.sha256(targetBytes));
        byte[] delta = encode(baseBytes, targetBytes);
        byte[] full = encode(null, targetBytes);
        int n = delta.length;
        UUID deltaId = rows.put(target.id(), base.sha256(), "READY", 1, ChunkDelta.METHOD, delta);
        UUID compressedId = rows.put(target.id(), null, "READY", 1, PlainDelta.METHOD, full);
        // Whether the chunk offers them depends on their sizes (the offers test covers that); a ready delta is
        // downloadable beside its payload either way.
        String payloadHref = deployment(updater, assigned.getKey())
                .getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        String prefix = payloadHref.substring(0, payloadHref.lastIndexOf('/') + 1);
        String name = "m.onnx." + deltaId + DeltaFormat.FILE_SUFFIX;
        String href = prefix + name;
        String etag = "\"" + DdiFlowTest.hex("SHA-256", delta) + "\"";

        double deltaBytes = downloaded("delta");
        double compressedBytes = downloaded("compressed");
        byte[] got = updater.as().get(href).then().statusCode(200).contentType(DeltaFormat.MEDIA_TYPE)
                .header("ETag", etag).header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .extract().asByteArray();
        assertArrayEquals(delta, got);
        // Resumed: a range, and If-Range with the ETag keeps it a range; another ETag gets the whole file.
        int cut = n / 3;
        byte[] part = updater.as().header("Range", "bytes=" + cut + "-").header("If-Range", etag).get(href).then().statusCode(206)
                .header("Content-Range", "bytes " + cut + "-" + (n - 1) + "/" + n).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(delta, cut, n), part);
        byte[] resumed = new byte[n];
        System.arraycopy(got, 0, resumed, 0, cut);
        System.arraycopy(part, 0, resumed, cut, part.length);
        // What the device rebuilds from the resumed delta and the file it holds is the payload, byte for byte.
        assertEquals(target.sha256(), Api.sha256(apply(resumed, baseBytes)));
        updater.as().header("Range", "bytes=" + cut + "-").header("If-Range", "\"0000\"").get(href).then().statusCode(200)
                .header("Content-Length", Integer.toString(n));
        updater.as().header("Range", "bytes=" + (n + 10) + "-").get(href).then().statusCode(416);
        updater.as().header("If-None-Match", etag).get(href).then().statusCode(304);
        updater.as().head(href).then().statusCode(200).header("Content-Length", Integer.toString(n)).header("ETag", etag);
        updater.as().get(href + ".MD5SUM").then().statusCode(200)
                .body(equalTo(DdiFlowTest.hex("MD5", delta) + "  " + name + "\n"));
        // Counted as delta bytes: the whole file twice (once for the If-Range that no longer matched) and the
        // range; HEAD, 304, 416 and the MD5SUM line send none.
        assertEquals(2 * n + (n - cut), downloaded("delta") - deltaBytes);
        String compressedHref = href.replace(deltaId.toString(), compressedId.toString());
        byte[] compressed = updater.as().get(compressedHref).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(full, compressed);
        assertArrayEquals(targetBytes, apply(compressed, null));
        assertEquals(full.length, downloaded("compressed") - compressedBytes);

        // A device the module is not assigned to gets hawkBit's not-found, as for the payload.
        stranger.as().get(href.replace(updater.id(), stranger.id())).then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
        // Unknown, not ready, another artifact's, or the id spelled otherwise: the module has no such file.
        updater.as().get(prefix + "m.onnx." + UUID.randomUUID() + DeltaFormat.FILE_SUFFIX).then().statusCode(404).body(emptyString());
        UUID useless = rows.put(target.id(), DdiFlowTest.hex("SHA-256", "elsewhere".getBytes()), "USELESS", 1, "cdc",
                Api.randomBytes(100, 7));
        updater.as().get(prefix + "m.onnx." + useless + DeltaFormat.FILE_SUFFIX).then().statusCode(404);
        updater.as().get(prefix + "m.onnx." + useless + DeltaFormat.FILE_SUFFIX + ".MD5SUM").then().statusCode(404);
        UUID ofBase = rows.put(base.id(), null, "READY", 1, "planes", Api.randomBytes(100, 8));
        updater.as().get(prefix + "m.onnx." + ofBase + DeltaFormat.FILE_SUFFIX).then().statusCode(404);
        updater.as().get(prefix + "m.onnx." + deltaId.toString().toUpperCase() + DeltaFormat.FILE_SUFFIX).then().statusCode(404);
        updater.as().get(prefix + "other.onnx." + deltaId + DeltaFormat.FILE_SUFFIX).then().statusCode(404);
        rows.update(deltaId, "status = 'FAILED'");
        updater.as().get(href).then().statusCode(404);
    }

    @Test
    void aDeploymentQueuesOneBuildPerFileTheDeviceHoldsOfThatModelOnly() throws Exception {
        // Large enough for deltas (modelyard.delta.min-size): the planner queues at assignment what it knows of.
        String m = model(BIG, "2.9.0", "3.0.0", "3.1.0", "3.2.0");
        String other = model(BIG, "9.1.0");
        DdiFlowTest.Dev updater = device("dlt-q", updaterWithDeltas());
        DdiFlowTest.Dev stock = device("dlt-r", Map.of());
        Payload v290 = install(m, "2.9.0", stock);
        install(m, "3.0.0", stock);
        Payload v300 = install(m, "3.0.0", updater);
        Payload v310 = install(m, "3.1.0", updater);
        // A draft of the model: its file was never given to any device.
        byte[] draft = Api.onnxModel(BIG, 77);
        Api.createVersion(m, "3.3.0");
        Api.upload(m, "3.3.0", "m.onnx", draft, null).then().statusCode(201);
        Payload foreign = install(other, "9.1.0", stock);
        // A digest of another model's file may not name a base.
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, foreign.sha256()));
        Map.Entry<Long, Payload> assigned = assign(m, "3.2.0", updater);
        UUID target = assigned.getValue().id();
        List<DeltaRows.Row> planned = rows.rows(target);
        assertEquals(List.of(v310.sha256(), "-"), planned.stream().map(r -> r.base() == null ? "-" : r.base()).toList(),
                "the assignment planned the delta from the installed version and the compressed file");
        deployment(updater, assigned.getKey());
        assertEquals(planned.size(), rows.rows(target).size(), "nothing more to ask for");

        // A file of the model the server never gave this device names no base: another device's version, a draft.
        // Otherwise a device could have the server build (and offer) a delta against a file it was not given.
        for (String named : List.of(v290.sha256(), Api.sha256(draft))) {
            DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, named));
            assertFalse(offeredBases(updater, assigned.getKey()).contains(named));
            // The builders change the rows' status meanwhile: which pairs exist is what counts.
            assertEquals(bases(planned), bases(rows.rows(target)), "nothing asked for from a file the device was not given");
        }
        rows.put(target, v290.sha256(), "READY", 1, "cdc", Api.randomBytes(500, 9));
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, v290.sha256()));
        assertFalse(offeredBases(updater, assigned.getKey()).contains(v290.sha256()),
                "a ready delta from another device's version is not offered either");
        int before = rows.rows(target).size();

        // What the device reports serving is a file the server gave it before (an earlier action) without a delta
        // from it yet: asked for once, however often the device asks, with the artifact that has those bytes as its lineage.
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, v300.sha256()));
        deployment(updater, assigned.getKey());
        deployment(updater, assigned.getKey());
        List<DeltaRows.Row> demanded = rows.rows(target).stream().filter(r -> r.requestedBy().equals("demand")).toList();
        assertEquals(1, demanded.size(), rows.rows(target).toString());
        DeltaRows.Row row = demanded.get(0);
        assertEquals(v300.sha256(), row.base());
        assertEquals(v300.id(), row.baseArtifact());
        assertEquals(BIG, row.targetSize());
        assertEquals("default", row.tenant());
        assertEquals(before + 1, rows.rows(target).size());
        // Something that is no digest names nothing.
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, "not-a-digest"));
        deployment(updater, assigned.getKey());
        assertEquals(before + 1, rows.rows(target).size());

        // A stock client's deployment asks for nothing.
        Map.Entry<Long, Payload> stockAssigned = assign(m, "3.1.0", stock);
        deployment(stock, stockAssigned.getKey());
        assertFalse(rows.rows(stockAssigned.getValue().id()).stream().anyMatch(r -> r.requestedBy().equals("demand")));
        // Below the size deltas are built for, a device's deployment asks for nothing either.
        String small = model("4.0.0", "4.1.0");
        DdiFlowTest.Dev smallUpdater = device("dlt-t", updaterWithDeltas());
        install(small, "4.0.0", smallUpdater);
        Map.Entry<Long, Payload> smallAssigned = assign(small, "4.1.0", smallUpdater);
        deployment(smallUpdater, smallAssigned.getKey());
        assertEquals(List.of(), rows.rows(smallAssigned.getValue().id()));
    }

    /** The bases of these rows ("-": the compressed full file). */
    private static List<String> bases(List<DeltaRows.Row> rows) {
        return rows.stream().map(r -> r.base() == null ? "-" : r.base()).sorted().toList();
    }

    /** The bases of the deltas the device's chunk offers (none for the compressed full file). */
    private static List<String> offeredBases(DdiFlowTest.Dev d, long action) {
        List<String> bases = deployment(d, action).getList("deployment.chunks[0].modelyardDeltas.base");
        return bases == null ? List.of() : bases;
    }

    private static final Pattern SERIES = Pattern.compile(
            "^modelyard_artifact_download_bytes_total\\{api=\"ddi\",kind=\"(\\w+)\",?}\\s+(\\S+)$", Pattern.MULTILINE);

    /** Bytes of that kind the DDI API sent so far, from the metrics endpoint. */
    private static double downloaded(String kind) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher mt = SERIES.matcher(text);
        while (mt.find()) {
            if (mt.group(1).equals(kind)) return Double.parseDouble(mt.group(2));
        }
        throw new AssertionError("no download series of kind " + kind);
    }
}
