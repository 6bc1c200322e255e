package dev.modelyard.server.artifact;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.testing.TfliteMlp;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ArtifactApiTest {

    @Inject
    AgroalDataSource db;

    private static final byte[] BYTES = Api.onnxModel(100_000, 1);

    private static String contentDigest(byte[] b) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Api.sha256(b))) + ":";
    }

    private static String base(String m, String v) {
        return "/api/v1/models/" + m + "/versions/" + v + "/artifacts";
    }

    @Test
    void rawUploadWithTargetAndDigestThenInspectAndDownload() {
        String m = Api.createModel("upl");
        Api.createVersion(m, "1.0.0");
        String id = publisher().contentType("application/octet-stream").header("Content-Digest", contentDigest(BYTES))
                .body(BYTES)
                .put(base(m, "1.0.0") + "/detector-int8.onnx?arch=aarch64&precision=int8&runtimeVersion=>=1.17&minMemoryMb=256")
                .then().statusCode(201)
                .header("Location", containsString(base(m, "1.0.0") + "/"))
                .header("ETag", "\"" + Api.sha256(BYTES) + "\"")
                .body("sha256", equalTo(Api.sha256(BYTES)))
                .body("size", equalTo(BYTES.length))
                .body("target.format", equalTo("onnx"))
                .body("target.runtime", equalTo("onnxruntime"))
                .body("target.runtimeVersion", equalTo(">=1.17"))
                .body("target.arch", equalTo("aarch64"))
                .body("target.accelerator", equalTo("cpu"))
                .body("target.precision", equalTo("int8"))
                .body("target.minMemoryMb", equalTo(256))
                .body("origin", equalTo("uploaded"))
                .extract().path("id");

        viewer().get(base(m, "1.0.0") + "/" + id).then().statusCode(200).body("filename", equalTo("detector-int8.onnx"));
        viewer().get(base(m, "1.0.0") + "/detector-int8.onnx").then().statusCode(200).body("id", equalTo(id));
        viewer().get(base(m, "1.0.0")).then().statusCode(200).body("items", hasSize(1)).body("total", equalTo(1));

        byte[] got = viewer().get(base(m, "1.0.0") + "/" + id + "/content")
                .then().statusCode(200)
                .header("Content-Length", String.valueOf(BYTES.length))
                .header("Accept-Ranges", "bytes")
                .header("Repr-Digest", contentDigest(BYTES))
                .extract().asByteArray();
        assertArrayEquals(BYTES, got);
    }

    @Test
    void listFiltersByTargetFields() {
        String m = Api.createModel("lst");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "a.onnx", Api.onnxModel(1), "arch=x86_64").then().statusCode(201);
        Api.upload(m, "1.0.0", "b.onnx", Api.onnxModel(2), "arch=aarch64&precision=int8").then().statusCode(201);
        Api.upload(m, "1.0.0", "c.tflite", TfliteMlp.seeded(3, 2, 2, 2).float32(), "arch=aarch64").then().statusCode(201);
        viewer().queryParam("arch", "aarch64").get(base(m, "1.0.0")).then().statusCode(200)
                .body("items.filename", org.hamcrest.Matchers.contains("b.onnx", "c.tflite"));
        viewer().queryParam("format", "tflite").get(base(m, "1.0.0")).then().body("items.filename",
                org.hamcrest.Matchers.contains("c.tflite"));
        viewer().queryParam("precision", "int8").queryParam("origin", "uploaded").get(base(m, "1.0.0"))
                .then().body("total", equalTo(1));
        viewer().queryParam("origin", "alien").get(base(m, "1.0.0")).then().statusCode(400);
    }

    @Test
    void wrongDigestIs422AndKeepsNothing() throws Exception {
        String m = Api.createModel("bad-digest");
        Api.createVersion(m, "1.0.0");
        byte[] other = Api.randomBytes(1000, 99);
        long blobsBefore = count("SELECT count(*) FROM blob");
        publisher().contentType("application/octet-stream").header("Content-Digest", contentDigest(other)).body(BYTES)
                .put(base(m, "1.0.0") + "/model.onnx")
                .then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("digest mismatch"));
        publisher().contentType("application/octet-stream").body(BYTES)
                .put(base(m, "1.0.0") + "/model.onnx?sha256=" + Api.sha256(other)).then().statusCode(422);
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(0));
        assertEquals(blobsBefore, count("SELECT count(*) FROM blob"));
        assertEquals(0, stagingFiles(), "rejected uploads leave nothing in staging");
        // Malformed digests are the client's syntax error.
        publisher().contentType("application/octet-stream").header("Content-Digest", "sha-256=:!!:").body(BYTES)
                .put(base(m, "1.0.0") + "/model.onnx").then().statusCode(400);
        publisher().contentType("application/octet-stream").header("Content-Digest", "md5=:AAAA:").body(BYTES)
                .put(base(m, "1.0.0") + "/model.onnx").then().statusCode(400).body("detail", containsString("sha-256"));
        publisher().contentType("application/octet-stream").body(BYTES)
                .put(base(m, "1.0.0") + "/model.onnx?sha256=xyz").then().statusCode(400);
    }

    @Test
    void tooLargeIs413WithAndWithoutContentLength() throws Exception {
        String m = Api.createModel("big");
        Api.createVersion(m, "1.0.0");
        byte[] big = new byte[(int) TestServer.MAX_UPLOAD + 1];
        Api.upload(m, "1.0.0", "model.onnx", big, null)
                .then().statusCode(413).contentType("application/problem+json").body("detail", containsString("limit"));
        // Chunked: no Content-Length, so the limit is enforced while streaming.
        publisher().contentType("application/octet-stream").body(new java.io.ByteArrayInputStream(big))
                .put(base(m, "1.0.0") + "/model.onnx").then().statusCode(413);
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(0));
        assertEquals(0, stagingFiles());
    }

    @Test
    void wrongContentTypeIs415() {
        String m = Api.createModel("ctype");
        Api.createVersion(m, "1.0.0");
        publisher().contentType("application/json").body("{}").put(base(m, "1.0.0") + "/model.onnx")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void badFilenameAndTargetAre400() {
        String m = Api.createModel("badtarget");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", ".hidden", BYTES, null).then().statusCode(400).body("detail", containsString("filename"));
        Api.upload(m, "1.0.0", "model.dat", BYTES, null).then().statusCode(400).body("detail", containsString("format"));
        Api.upload(m, "1.0.0", "model.onnx", BYTES, "arch=sparc").then().statusCode(400).body("detail", containsString("arch"));
        Api.upload(m, "1.0.0", "model.onnx", BYTES, "precision=fp64").then().statusCode(400);
        Api.upload(m, "1.0.0", "model.onnx", BYTES, "minMemoryMb=lots").then().statusCode(400);
        Api.upload(m, "1.0.0", "model.onnx", BYTES, "runtimeVersion=newest").then().statusCode(400);
        Api.upload(m, "9.9.9", "model.onnx", BYTES, null).then().statusCode(404);
        Api.upload("no-such-model", "1.0.0", "model.onnx", BYTES, null).then().statusCode(404);
    }

    @Test
    void cpuFeaturesAreCanonicalPartOfTheTargetAndChecked() {
        String m = Api.createModel("cpufeat");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "generic.onnx", Api.onnxModel(41), "arch=x86_64").then().statusCode(201)
                .body("target.cpuFeatures", hasSize(0)).body("optimized", equalTo(false));
        // kernel spellings and repeats become the descriptor's sorted names
        Api.upload(m, "1.0.0", "avx512.onnx", Api.onnxModel(42), "arch=x86_64&cpuFeatures=avx512vnni,AVX2,avx512f,avx2")
                .then().statusCode(201)
                .body("target.cpuFeatures", equalTo(List.of("avx2", "avx512_vnni", "avx512f")));
        // the same features again are the same target; other features are another one
        Api.upload(m, "1.0.0", "again.onnx", Api.onnxModel(43), "arch=x86_64&cpuFeatures=avx2,avx512f,avx512_vnni")
                .then().statusCode(409).body("code", equalTo("target-taken")).body("detail", containsString("avx512.onnx"));
        Api.upload(m, "1.0.0", "avx2.onnx", Api.onnxModel(44), "arch=x86_64&cpuFeatures=avx2").then().statusCode(201);
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(3));
        // features without an architecture, a bad token, an empty item: 400 naming the parameter
        Api.upload(m, "1.0.0", "any.onnx", Api.onnxModel(45), "cpuFeatures=avx2").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("cpuFeatures"))
                .body("detail", containsString("name the architecture"));
        Api.upload(m, "1.0.0", "bad.onnx", Api.onnxModel(46), "arch=x86_64&cpuFeatures=-avx2").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("cpuFeatures"));
        Api.upload(m, "1.0.0", "gap.onnx", Api.onnxModel(47), "arch=x86_64&cpuFeatures=avx2,,fma").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("cpuFeatures"))
                .body("detail", containsString("empty item"));
        // a name no device reports would make a file that fits no device: refused, with the names that exist
        Api.upload(m, "1.0.0", "avx3.onnx", Api.onnxModel(48), "arch=x86_64&cpuFeatures=avx2,avx3").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("cpuFeatures"))
                .body("detail", containsString("cpuFeatures: 'avx3' is not a known CPU feature (known: "))
                .body("detail", containsString("avx512f"));
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(3));
    }

    @Test
    void oneArtifactPerTargetAndReplacementOfADraftFile() {
        String m = Api.createModel("target-uq");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "a.onnx", Api.onnxModel(1), "arch=x86_64").then().statusCode(201);
        Api.upload(m, "1.0.0", "b.onnx", Api.onnxModel(2), "arch=x86_64").then().statusCode(409)
                .body("detail", containsString("a.onnx"));
        // Same name again on a draft replaces the file.
        Api.upload(m, "1.0.0", "a.onnx", Api.onnxModel(3), "arch=x86_64").then().statusCode(200)
                .body("sha256", equalTo(Api.sha256(Api.onnxModel(3))));
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(1));
    }

    @Test
    void identicalBytesAreStoredOnce() throws Exception {
        byte[] shared = Api.onnxModel(5000, 4242);
        Api.modelWithArtifact("dedupe-a", "1.0.0", shared);
        Api.modelWithArtifact("dedupe-b", "1.0.0", shared);
        assertEquals(1, count("SELECT count(*) FROM blob WHERE sha256 = '" + Api.sha256(shared) + "'"));
        assertEquals(2, count("SELECT count(*) FROM artifact WHERE sha256 = '" + Api.sha256(shared) + "'"));
        Path blob = TestServer.dataDir().resolve("blobs/sha256").resolve(Api.sha256(shared).substring(0, 2))
                .resolve(Api.sha256(shared));
        assertArrayEquals(shared, Files.readAllBytes(blob));
    }

    @Test
    void rangesConditionalRequestsAndHead() {
        String m = Api.modelWithArtifact("range", "1.0.0", BYTES);
        String url = base(m, "1.0.0") + "/model.onnx/content";
        String etag = "\"" + Api.sha256(BYTES) + "\"";

        byte[] part = viewer().header("Range", "bytes=10-19").get(url).then().statusCode(206)
                .header("Content-Range", "bytes 10-19/" + BYTES.length)
                .header("Content-Length", "10").extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(BYTES, 10, 20), part);

        byte[] open = viewer().header("Range", "bytes=99990-").get(url).then().statusCode(206)
                .header("Content-Range", "bytes 99990-99999/" + BYTES.length).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(BYTES, 99990, 100000), open);

        byte[] suffix = viewer().header("Range", "bytes=-5").get(url).then().statusCode(206)
                .header("Content-Range", "bytes 99995-99999/" + BYTES.length).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(BYTES, 99995, 100000), suffix);

        viewer().header("Range", "bytes=100000-").get(url).then().statusCode(416)
                .header("Content-Range", "bytes */" + BYTES.length).contentType("application/problem+json");

        viewer().header("If-None-Match", etag).get(url).then().statusCode(304).header("ETag", etag);
        viewer().header("If-None-Match", "\"other\"").get(url).then().statusCode(200);
        // If-Range with a stale validator: the whole file, not the range.
        viewer().header("Range", "bytes=0-9").header("If-Range", "\"stale\"").get(url).then().statusCode(200)
                .header("Content-Length", String.valueOf(BYTES.length));
        viewer().header("Range", "bytes=0-9").header("If-Range", etag).get(url).then().statusCode(206);
        // Multiple ranges are not supported: the whole file is the valid answer.
        viewer().header("Range", "bytes=0-1,5-6").get(url).then().statusCode(200);

        viewer().head(url).then().statusCode(200).header("Content-Length", String.valueOf(BYTES.length))
                .header("ETag", etag);
        viewer().get(base(m, "1.0.0") + "/nope.onnx/content").then().statusCode(404);
    }

    @Test
    void multipartUploadForBrowsers() {
        String m = Api.createModel("multipart");
        Api.createVersion(m, "1.0.0");
        publisher().multiPart("file", "browser.onnx", BYTES, "application/octet-stream")
                .multiPart("arch", "x86_64")
                .multiPart("sha256", Api.sha256(BYTES))
                .post(base(m, "1.0.0"))
                .then().statusCode(201)
                .body("filename", equalTo("browser.onnx"))
                .body("target.arch", equalTo("x86_64"))
                .body("sha256", equalTo(Api.sha256(BYTES)));
        publisher().multiPart("file", "wrong.onnx", BYTES, "application/octet-stream")
                .multiPart("sha256", Api.sha256(new byte[]{1}))
                .post(base(m, "1.0.0")).then().statusCode(422);
        publisher().multiPart("arch", "x86_64").post(base(m, "1.0.0")).then().statusCode(400)
                .body("detail", containsString("file"));
    }

    @Test
    void artifactsOfADraftCanBeRemoved() {
        String m = Api.modelWithArtifact("rm", "1.0.0", BYTES);
        publisher().delete(base(m, "1.0.0") + "/model.onnx").then().statusCode(204);
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(0));
        publisher().delete(base(m, "1.0.0") + "/model.onnx").then().statusCode(404);
    }

    @Test
    void artifactsResolveThroughAliases() {
        String m = Api.modelWithArtifact("via-alias", "1.0.0", BYTES);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        publisher().contentType("application/json").body("{\"version\":\"1.0.0\"}")
                .put("/api/v1/models/{m}/aliases/production", m).then().statusCode(200);
        viewer().get(base(m, "production")).then().statusCode(200).body("items[0].contentUrl", notNullValue());
        viewer().get(base(m, "latest") + "/model.onnx/content").then().statusCode(200);
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long stagingFiles() throws IOException {
        Path staging = TestServer.dataDir().resolve("staging");
        try (Stream<Path> s = Files.list(staging)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).count();
        }
    }
}
