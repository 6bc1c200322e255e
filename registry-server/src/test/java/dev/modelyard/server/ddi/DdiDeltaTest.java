package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaFormat;
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

    /** A model with these versions published, each one 10 kB ONNX file named m.onnx. */
    private static String model(String... versions) {
        String m = Api.createModel("delta");
        for (String v : versions) {
            Api.createVersion(m, v);
            Api.upload(m, v, "m.onnx", Api.onnxModel(SIZE, v.hashCode()), null).then().statusCode(201);
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
        Payload v110 = install(m, "1.1.0", updater);
        Payload foreign = install(other, "9.0.0", updater);
        // The updater runs 1.1.0 by its last action and says it also holds 1.0.0 (it was provisioned with it).
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

    @Test
    void deltaDownloadsFollowTheArtifactRulesForAssignedDevicesOnly() throws Exception {
        String m = model("2.0.0", "2.1.0");
        DdiFlowTest.Dev updater = device("dlt-d", updaterWithDeltas());
        DdiFlowTest.Dev stranger = device("dlt-x", updaterWithDeltas());
        Payload base = install(m, "2.0.0", updater);
        Map.Entry<Long, Payload> assigned = assign(m, "2.1.0", updater);
        Payload target = assigned.getValue();
        byte[] delta = Api.randomBytes(3000, 5);
        byte[] full = Api.randomBytes(4000, 6);
        UUID deltaId = rows.put(target.id(), base.sha256(), "READY", 1, "onnx-tensors", delta);
        UUID compressedId = rows.put(target.id(), null, "READY", 1, "planes", full);
        JsonPath dep = deployment(updater, assigned.getKey());
        assertEquals(2, dep.getList("deployment.chunks[0].modelyardDeltas").size());
        String href = dep.getString("deployment.chunks[0].modelyardDeltas[0]._links.download-http.href");
        String name = "m.onnx." + deltaId + DeltaFormat.FILE_SUFFIX;
        String etag = "\"" + DdiFlowTest.hex("SHA-256", delta) + "\"";

        double deltaBytes = downloaded("delta");
        double compressedBytes = downloaded("compressed");
        byte[] got = updater.as().get(href).then().statusCode(200).contentType(DeltaFormat.MEDIA_TYPE)
                .header("ETag", etag).header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .extract().asByteArray();
        assertArrayEquals(delta, got);
        // Resumed: a range, and If-Range with the ETag keeps it a range; another ETag gets the whole file.
        byte[] part = updater.as().header("Range", "bytes=1000-").header("If-Range", etag).get(href).then().statusCode(206)
                .header("Content-Range", "bytes 1000-2999/3000").extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(delta, 1000, 3000), part);
        updater.as().header("Range", "bytes=1000-").header("If-Range", "\"0000\"").get(href).then().statusCode(200)
                .header("Content-Length", "3000");
        updater.as().header("Range", "bytes=5000-").get(href).then().statusCode(416);
        updater.as().header("If-None-Match", etag).get(href).then().statusCode(304);
        updater.as().head(href).then().statusCode(200).header("Content-Length", "3000").header("ETag", etag);
        updater.as().get(href + ".MD5SUM").then().statusCode(200)
                .body(equalTo(DdiFlowTest.hex("MD5", delta) + "  " + name + "\n"));
        // Counted as delta bytes: the whole file twice (once for the If-Range that no longer matched) and the
        // 2000-byte range; HEAD, 304, 416 and the MD5SUM line send none.
        assertEquals(5000 + 3000, downloaded("delta") - deltaBytes);
        String compressedHref = href.replace(deltaId.toString(), compressedId.toString());
        assertArrayEquals(full, updater.as().get(compressedHref).then().statusCode(200).extract().asByteArray());
        assertEquals(4000, downloaded("compressed") - compressedBytes);

        // A device the module is not assigned to gets hawkBit's not-found, as for the payload.
        stranger.as().get(href.replace(updater.id(), stranger.id())).then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
        // Unknown, not ready, another artifact's, or the id spelled otherwise: the module has no such file.
        String prefix = href.substring(0, href.lastIndexOf('/') + 1);
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
        String m = model("3.0.0", "3.1.0", "3.2.0");
        String other = model("9.1.0");
        DdiFlowTest.Dev updater = device("dlt-q", updaterWithDeltas());
        DdiFlowTest.Dev stock = device("dlt-r", Map.of());
        Payload v300 = install(m, "3.0.0", stock);
        Payload v310 = install(m, "3.1.0", updater);
        Payload foreign = install(other, "9.1.0", stock);
        // A digest of another model's file, then one that is no digest: neither may name a base.
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, foreign.sha256()));
        Map.Entry<Long, Payload> assigned = assign(m, "3.2.0", updater);
        UUID target = assigned.getValue().id();
        JsonPath dep = deployment(updater, assigned.getKey());
        assertNull(dep.get("deployment.chunks[0].modelyardDeltas"), "nothing is ready yet");
        assertEquals(List.of(new DeltaRows.Row(v310.sha256(), "PENDING", "demand", v310.id(), SIZE, "default")), rows.rows(target));

        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, "not-a-digest"));
        deployment(updater, assigned.getKey());
        assertEquals(1, rows.rows(target).size());

        // A base whose delta failed is not asked for again; each base is queued once however often the device asks.
        rows.put(target, v300.sha256(), "FAILED", 1, null, null);
        DdiFlowTest.report(updater, Map.of(DeviceAttributes.INSTALLED_PREFIX + m, v300.sha256()));
        deployment(updater, assigned.getKey());
        deployment(updater, assigned.getKey());
        List<DeltaRows.Row> after = rows.rows(target);
        assertEquals(2, after.size(), after.toString());
        assertEquals("FAILED", after.stream().filter(r -> r.base().equals(v300.sha256())).findFirst().orElseThrow().status());
        assertNotEquals(null, after.stream().filter(r -> r.base().equals(v310.sha256())).findFirst().orElse(null));
        // A stock client's deployment asks for nothing.
        Map.Entry<Long, Payload> stockAssigned = assign(m, "3.1.0", stock);
        deployment(stock, stockAssigned.getKey());
        assertEquals(List.of(), rows.rows(stockAssigned.getValue().id()));
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
