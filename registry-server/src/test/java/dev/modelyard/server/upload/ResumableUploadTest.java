package dev.modelyard.server.upload;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ResumableUploadTest {

    private static final byte[] DATA = Api.onnxModel(3 * 1024 * 1024 + 17, 5);

    private static String open(String m, String v, String query) {
        return publisher().post("/api/v1/models/" + m + "/versions/" + v + "/uploads?" + query)
                .then().statusCode(201)
                .header("Upload-Offset", "0")
                .header("Location", containsString("/versions/" + v + "/uploads/"))
                .extract().path("url");
    }

    private static io.restassured.response.Response append(String url, long offset, byte[] chunk) {
        return publisher().contentType("application/offset+octet-stream").header("Upload-Offset", offset).body(chunk)
                .patch(url);
    }

    @Test
    void uploadInChunksResumeAndFinish() {
        String m = Api.createModel("resumable");
        Api.createVersion(m, "1.0.0");
        String url = open(m, "1.0.0", "filename=big.onnx&arch=x86_64&precision=fp16");

        int chunk = 1024 * 1024;
        append(url, 0, Arrays.copyOfRange(DATA, 0, chunk)).then().statusCode(204).header("Upload-Offset", String.valueOf(chunk));
        // A client that lost track asks where to resume.
        publisher().head(url).then().statusCode(200).header("Upload-Offset", String.valueOf(chunk));
        // Appending at the wrong offset is refused and tells the right one.
        append(url, 0, Arrays.copyOfRange(DATA, 0, chunk)).then().statusCode(409)
                .header("Upload-Offset", String.valueOf(chunk)).body("detail", containsString("resume from " + chunk));
        for (int off = chunk; off < DATA.length; off += chunk) {
            append(url, off, Arrays.copyOfRange(DATA, off, Math.min(DATA.length, off + chunk))).then().statusCode(204);
        }
        publisher().get(url).then().statusCode(200).body("offset", equalTo(DATA.length)).body("filename", equalTo("big.onnx"));

        publisher().put(url + "?digest=sha256:" + Api.sha256(DATA))
                .then().statusCode(201)
                .body("sha256", equalTo(Api.sha256(DATA)))
                .body("size", equalTo(DATA.length))
                .body("target.precision", equalTo("fp16"));
        byte[] got = viewer().get("/api/v1/models/" + m + "/versions/1.0.0/artifacts/big.onnx/content").asByteArray();
        assertArrayEquals(DATA, got);
        publisher().head(url).then().statusCode(404);
    }

    @Test
    void wrongDigestEndsTheSessionAndKeepsNothing() {
        String m = Api.createModel("resumable-bad");
        Api.createVersion(m, "1.0.0");
        String url = open(m, "1.0.0", "filename=m.onnx");
        append(url, 0, new byte[]{1, 2, 3}).then().statusCode(204);
        publisher().put(url + "?digest=sha256:" + Api.sha256(new byte[]{9})).then().statusCode(422);
        publisher().get(url).then().statusCode(404);
        viewer().get("/api/v1/models/" + m + "/versions/1.0.0/artifacts").then().body("total", equalTo(0));
    }

    @Test
    void validationAndCancel() {
        String m = Api.createModel("resumable-val");
        Api.createVersion(m, "1.0.0");
        publisher().post("/api/v1/models/" + m + "/versions/1.0.0/uploads").then().statusCode(400);
        publisher().post("/api/v1/models/" + m + "/versions/1.0.0/uploads?filename=x.onnx&arch=sparc").then().statusCode(400);
        publisher().post("/api/v1/models/" + m + "/versions/7.7.7/uploads?filename=x.onnx").then().statusCode(404);
        String url = open(m, "1.0.0", "filename=x.onnx");
        publisher().contentType("application/octet-stream").body(new byte[]{1}).patch(url).then().statusCode(400)
                .body("detail", containsString("Upload-Offset"));
        publisher().contentType("application/json").header("Upload-Offset", 0).body("{}").patch(url).then().statusCode(415);
        publisher().put(url).then().statusCode(400).body("detail", containsString("digest"));
        publisher().delete(url).then().statusCode(204);
        publisher().delete(url).then().statusCode(404);
        publisher().get("/api/v1/models/" + m + "/versions/1.0.0/uploads/not-a-uuid").then().statusCode(404);
        publisher().get("/api/v1/models/" + m + "/versions/1.0.0/uploads/00000000-0000-0000-0000-000000000000").then().statusCode(404);
    }

    /** A client resuming after a cut learns whether the server still holds the broken append, instead of being refused. */
    @Test
    void theSessionSaysWhileAnAppendIsInProgress() throws Exception {
        String m = Api.createModel("resumable-busy");
        Api.createVersion(m, "1.0.0");
        String url = open(m, "1.0.0", "filename=x.onnx");
        publisher().get(url).then().statusCode(200).body("appending", equalTo(false));

        PipedOutputStream out = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(out, 1 << 16);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + url))
                .header("Authorization", "Bearer " + Api.token("publisher"))
                .header("Content-Type", "application/offset+octet-stream").header("Upload-Offset", "0")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> in)).build();
        // HTTP/1.1: the body streams at once (no h2c upgrade round first), as a browser's append does.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long expected;
        {
            CompletableFuture<HttpResponse<String>> pending = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            // Bytes go out 64 KiB at a time until the session says a request is appending, so no buffering on the
            // way (the client's, the server's) can hold the append back; at most 1 MiB, well under the size limit.
            byte[] slice = new byte[64 * 1024];
            long[] sent = {0};
            Api.await("the session to report the append", Duration.ofSeconds(120), () -> {
                if (sent[0] < (1 << 20)) {
                    try {
                        out.write(slice);
                        out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    sent[0] += slice.length;
                }
                return publisher().get(url).then().extract().<Boolean>path("appending");
            });
            append(url, 0, new byte[]{1}).then().statusCode(409).body("code", equalTo("concurrent-request"));
            out.write(new byte[500]);
            out.close();
            org.junit.jupiter.api.Assertions.assertEquals(204, pending.get().statusCode());
            expected = sent[0] + 500;
        }
        publisher().get(url).then().statusCode(200).body("appending", equalTo(false)).body("offset", equalTo((int) expected));
    }

    @Test
    void sizeLimitAppliesAcrossChunks() {
        String m = Api.createModel("resumable-big");
        Api.createVersion(m, "1.0.0");
        String url = open(m, "1.0.0", "filename=x.onnx");
        byte[] fiveMb = new byte[5 * 1024 * 1024];
        append(url, 0, fiveMb).then().statusCode(204);
        append(url, fiveMb.length, fiveMb).then().statusCode(413);
        publisher().head(url).then().header("Upload-Offset", String.valueOf(fiveMb.length));
    }
}
