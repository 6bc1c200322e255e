package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.storage.PresignedDownloadsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * With presigned downloads on, an authorized artifact download is answered with 307 to a
 * short-lived S3 URL: following it (as curl and libcurl-based hawkBit clients do) gives the same
 * bytes, with ranges, and the hashes the deployment announced. Refusals stay refusals.
 */
@QuarkusTest
@TestProfile(PresignedDownloadsProfile.class)
class PresignedDownloadTest {

    private static final HttpClient PLAIN = HttpClient.newHttpClient();

    @Test
    void aDeviceIsRedirectedToTheBucketAndGetsTheAnnouncedBytes() throws Exception {
        byte[] bytes = Api.onnxModel(30_000, 61);
        String m = Api.createModel("presigned-ddi");
        Api.createVersion(m, "1.0.0");
        DdiFlowTest.upload(m, "1.0.0", "m.onnx", bytes, null);
        DdiFlowTest.publish(m, "1.0.0");
        DdiFlowTest.Dev d = DdiFlowTest.device("presigned");
        DdiFlowTest.report(d, DdiFlowTest.x86(""));
        long action = DdiFlowTest.assign(m, "1.0.0", d, "forced").getLong("actions[0].id");
        JsonPath dep = d.as().accept("application/hal+json").get(d.path() + "/deploymentBase/" + action).then().statusCode(200)
                .extract().jsonPath();
        String href = dep.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");

        Response redirect = d.as().redirects().follow(false).get(href);
        assertEquals(307, redirect.statusCode());
        assertEquals("\"" + Api.sha256(bytes) + "\"", redirect.header("ETag"));
        URI location = URI.create(redirect.header("Location"));
        assertTrue(location.getRawQuery().contains("X-Amz-Signature="), location.toString());

        // The URL authorizes itself: no device token goes to the bucket.
        byte[] whole = get(location, null, 200);
        assertArrayEquals(bytes, whole);
        assertEquals(dep.getString("deployment.chunks[0].artifacts[0].hashes.sha256"), DdiFlowTest.hex("SHA-256", whole));
        assertEquals(dep.getString("deployment.chunks[0].artifacts[0].hashes.sha1"), DdiFlowTest.hex("SHA-1", whole));
        assertEquals(dep.getString("deployment.chunks[0].artifacts[0].hashes.md5"), DdiFlowTest.hex("MD5", whole));
        // A resumed download repeats its Range at the bucket.
        assertArrayEquals(Arrays.copyOfRange(bytes, 1000, bytes.length), get(location, "bytes=1000-", 206));

        // HEAD is answered by the server itself; the small files beside the artifact are not redirected.
        d.as().head(href).then().statusCode(200).header("Content-Length", String.valueOf(bytes.length));
        d.as().redirects().follow(false).get(href + ".MD5SUM").then().statusCode(200);

        // Only after the device is authorized for the file: another device, or none, gets no URL.
        DdiFlowTest.Dev stranger = DdiFlowTest.device("presigned-other");
        Response refused = stranger.as().redirects().follow(false).get(href.replace(d.id(), stranger.id()));
        assertTrue(refused.statusCode() == 404 || refused.statusCode() == 403, "status " + refused.statusCode());
        assertNull(refused.header("Location"));
        given().redirects().follow(false).get(href).then().statusCode(401);
    }

    @Test
    void theManagementDownloadIsRedirectedToo() throws Exception {
        byte[] bytes = Api.onnxModel(20_000, 62);
        String m = Api.modelWithArtifact("presigned-api", "1.0.0", bytes);
        String url = "/api/v1/models/" + m + "/versions/1.0.0/artifacts/model.onnx/content";
        Response redirect = viewer().redirects().follow(false).get(url);
        assertEquals(307, redirect.statusCode());
        assertArrayEquals(bytes, get(URI.create(redirect.header("Location")), null, 200));
        assertArrayEquals(Arrays.copyOfRange(bytes, 5, 105), get(URI.create(redirect.header("Location")), "bytes=5-104", 206));
        viewer().head(url).then().statusCode(200).header("ETag", "\"" + Api.sha256(bytes) + "\"");
        given().redirects().follow(false).get(url).then().statusCode(401);
    }

    private static byte[] get(URI url, String range, int status) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).GET();
        if (range != null) b.header("Range", range);
        HttpResponse<byte[]> r = PLAIN.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(status, r.statusCode(), () -> new String(r.body()));
        return r.body();
    }
}
