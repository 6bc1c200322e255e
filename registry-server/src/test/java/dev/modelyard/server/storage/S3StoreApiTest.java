package dev.modelyard.server.storage;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The whole artifact API with the S3 store behind it. */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3StoreApiTest {

    @Inject
    BlobStore store;

    @Test
    void uploadDeduplicateRangeAndResumableOnS3() {
        assertEquals("s3", store.kind());
        given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'blob-store' }.data.kind", equalTo("s3"));

        byte[] bytes = Api.onnxModel(6 * 1024 * 1024 + 5, 31);
        String m = Api.modelWithArtifact("s3-model", "1.0.0", bytes);
        String url = "/api/v1/models/" + m + "/versions/1.0.0/artifacts/model.onnx/content";
        assertArrayEquals(bytes, viewer().get(url).then().statusCode(200)
                .header("Content-Length", String.valueOf(bytes.length)).extract().asByteArray());
        assertArrayEquals(Arrays.copyOfRange(bytes, 5, 105), viewer().header("Range", "bytes=5-104").get(url)
                .then().statusCode(206).extract().asByteArray());
        viewer().header("Range", "bytes=" + bytes.length + "-").get(url).then().statusCode(416);

        // Same bytes in another model: stored once, served the same.
        String m2 = Api.modelWithArtifact("s3-model-copy", "1.0.0", bytes);
        viewer().get("/api/v1/models/" + m2 + "/versions/1.0.0/artifacts/model.onnx").then()
                .body("sha256", equalTo(Api.sha256(bytes)));

        // Resumable upload lands in S3 too.
        Api.createVersion(m, "1.1.0");
        String u = publisher().post("/api/v1/models/" + m + "/versions/1.1.0/uploads?filename=r.onnx")
                .then().statusCode(201).extract().path("url");
        publisher().contentType("application/offset+octet-stream").header("Upload-Offset", 0).body(bytes).patch(u)
                .then().statusCode(204);
        publisher().put(u + "?digest=sha256:" + Api.sha256(bytes)).then().statusCode(201);
        assertArrayEquals(bytes, viewer().get("/api/v1/models/" + m + "/versions/1.1.0/artifacts/r.onnx/content").asByteArray());
    }
}
