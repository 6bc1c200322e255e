package dev.modelyard.server.signing;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.VerifiedRelease;
import dev.modelyard.wire.trust.Verifier;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Published artifacts get signed metadata that a device-side verifier accepts against a root
 * uploaded by an operator. The tests share one root chain, so they run in order.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SigningApiTest {

    static final KeyPair ROOT_1 = Ed25519.generate();
    static final KeyPair ROOT_2 = Ed25519.generate();

    @Inject
    ReleaseSigner signer;
    @Inject
    AgroalDataSource db;

    static PublicKey serverReleaseKey() {
        String b64 = viewer().get("/api/v1/trust/status").then().statusCode(200).extract().path("releasePublicKey");
        return Ed25519.publicKeyFromRaw(Base64.getDecoder().decode(b64));
    }

    static SignedEnvelope root(long version, List<PublicKey> rootKeys, List<PublicKey> releaseKeys, KeyPair... signers) {
        RootMetadata r = RootMetadata.create(version, Instant.now().plus(365, ChronoUnit.DAYS), rootKeys, 1, releaseKeys, 1);
        return Signer.of(signers).sign(r);
    }

    static DeviceFacts x86Device() {
        return new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.20.0", 4096L, "linux");
    }

    @Test
    @Order(1)
    void rootChainIsVerifiedBeforeItIsStored() {
        given().get("/api/v1/trust/roots/latest").then().statusCode(404);
        viewer().get("/api/v1/trust/status").then().statusCode(200)
                .body("releaseKeyTrusted", equalTo(false))
                .body("problems[0]", containsString("no root metadata"));

        SignedEnvelope v1 = root(1, List.of(ROOT_1.getPublic()), List.of(serverReleaseKey()), ROOT_1);
        publisher().contentType(ContentType.JSON).body(v1.toJson()).post("/api/v1/trust/roots").then().statusCode(403);
        admin().contentType(ContentType.JSON).body(v1.toJson()).post("/api/v1/trust/roots")
                .then().statusCode(201).body("version", equalTo(1));
        // Replaying version 1, or a version 2 signed only by a key the current root does not list.
        admin().contentType(ContentType.JSON).body(v1.toJson()).post("/api/v1/trust/roots").then().statusCode(422);
        SignedEnvelope forged = root(2, List.of(ROOT_2.getPublic()), List.of(serverReleaseKey()), ROOT_2);
        admin().contentType(ContentType.JSON).body(forged.toJson()).post("/api/v1/trust/roots")
                .then().statusCode(422).body("detail", containsString("not trusted"));
        admin().contentType(ContentType.JSON).body("{\"signed\":{}}").post("/api/v1/trust/roots").then().statusCode(400);

        // Rotation of the root key: version 2 signed by the old and the new root key.
        SignedEnvelope v2 = root(2, List.of(ROOT_2.getPublic()), List.of(serverReleaseKey()), ROOT_1, ROOT_2);
        admin().contentType(ContentType.JSON).body(v2.toJson()).post("/api/v1/trust/roots").then().statusCode(201);

        given().get("/api/v1/trust/roots").then().statusCode(200).body("version", equalTo(List.of(1, 2)));
        String latest = given().get("/api/v1/trust/roots/latest").then().statusCode(200).extract().asString();
        assertEquals(v2.toJson(), latest);
        given().get("/api/v1/trust/roots/1").then().statusCode(200).header("Content-Disposition", containsString("1.root.json"));
        viewer().get("/api/v1/trust/status").then().body("releaseKeyTrusted", equalTo(true)).body("rootVersion", equalTo(2));
    }

    @Test
    @Order(2)
    void publishedArtifactsCarrySignedMetadataThatADeviceAccepts() throws Exception {
        byte[] bytes = Api.onnxModel(4096, 808);
        String m = Api.createModel("signed");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "x86.onnx", bytes, "arch=x86_64").then().statusCode(201)
                .body("signedMetadataUrl", nullValue());
        Api.upload(m, "1.0.0", "arm.onnx", Api.onnxModel(809), "arch=aarch64&precision=int8").then().statusCode(201);
        String base = "/api/v1/models/" + m + "/versions/1.0.0/artifacts/";
        viewer().get(base + "x86.onnx/signed-metadata").then().statusCode(404).body("detail", containsString("draft"));

        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200).body("releaseCounter", equalTo(1));
        viewer().get(base + "x86.onnx").then().body("signedMetadataUrl", notNullValue());
        String json = viewer().get(base + "x86.onnx/signed-metadata").then().statusCode(200)
                .header("Content-Disposition", containsString("x86.onnx.release.json")).extract().asString();

        Verifier verifier = new Verifier(new TrustStore(SignedEnvelope.parse(latestRoot())));
        Expectations device = new Expectations("default", m, x86Device(), null, null, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
        VerifiedRelease release = verifier.verifyRelease(SignedEnvelope.parse(json), device);
        assertEquals(1, release.metadata().releaseCounter());
        assertEquals("1.0.0", release.metadata().version());
        assertEquals(Api.sha256(bytes), release.metadata().artifact().sha256());
        Verifier.verifyContent(release, new ByteArrayInputStream(viewer().get(base + "x86.onnx/content").asByteArray()));
        // The aarch64 artifact's metadata is refused by an x86_64 device: no mix-and-match.
        String arm = viewer().get(base + "arm.onnx/signed-metadata").asString();
        VerificationException wrong = assertThrows(VerificationException.class,
                () -> verifier.verifyRelease(SignedEnvelope.parse(arm), device));
        assertEquals(VerificationException.Reason.WRONG_TARGET, wrong.reason());

        // The next release of the model gets the next counter.
        Api.createVersion(m, "1.1.0");
        Api.upload(m, "1.1.0", "x86.onnx", Api.onnxModel(810), "arch=x86_64").then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/1.1.0/publish", m).then().statusCode(200).body("releaseCounter", equalTo(2));
        String next = viewer().get("/api/v1/models/" + m + "/versions/1.1.0/artifacts/x86.onnx/signed-metadata").asString();
        assertEquals(2, ArtifactMetadata.fromMap(SignedEnvelope.parse(next).signed()).releaseCounter());
        // A device that has 1.1.0 refuses 1.0.0: a rollback.
        VerificationException rollback = assertThrows(VerificationException.class,
                () -> verifier.verifyRelease(SignedEnvelope.parse(json), device.withInstalled(2L, null)));
        assertEquals(VerificationException.Reason.ROLLBACK, rollback.reason());

        // Revoked: no longer offered.
        publisher().contentType(ContentType.JSON).body("{\"status\":\"revoked\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200);
        viewer().get(base + "x86.onnx/signed-metadata").then().statusCode(410);
    }

    @Test
    @Order(3)
    void expiringMetadataIsSignedAgainWithTheSameCounter() throws Exception {
        String m = Api.modelWithArtifact("renew", "2.0.0", Api.onnxModel(811));
        publisher().post("/api/v1/models/{m}/versions/2.0.0/publish", m).then().statusCode(200);
        String url = "/api/v1/models/" + m + "/versions/2.0.0/artifacts/model.onnx/signed-metadata";
        ArtifactMetadata before = ArtifactMetadata.fromMap(SignedEnvelope.parse(viewer().get(url).asString()).signed());
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("UPDATE artifact_release SET expires_at = now() + interval '1 day' "
                    + "WHERE artifact_id = (SELECT a.id FROM artifact a JOIN model_version v ON v.id = a.version_id "
                    + "JOIN model mo ON mo.id = v.model_id WHERE mo.name = '" + m + "')");
        }
        assertTrue(signer.renewDue() >= 1);
        String json = viewer().get(url).asString();
        ArtifactMetadata after = ArtifactMetadata.fromMap(SignedEnvelope.parse(json).signed());
        assertEquals(before.releaseCounter(), after.releaseCounter());
        assertEquals(before.artifact(), after.artifact());
        assertTrue(!after.expiresAt().isBefore(before.expiresAt()));
        new Verifier(new TrustStore(SignedEnvelope.parse(latestRoot()))).verifyRelease(SignedEnvelope.parse(json),
                new Expectations("default", m, new DeviceFacts("aarch64", List.of("cpu"), "onnxruntime", "1.20.0", 1024L, null),
                        null, null, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30));
        assertEquals(0, signer.renewDue(), "nothing else is due");
    }

    @Test
    @Order(4)
    void publisherSignaturesAreCheckedAndRecorded() {
        KeyPair publisherKey = Ed25519.generate();
        String pub = Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(publisherKey.getPublic()));
        publisher().contentType(ContentType.JSON).body(Map.of("name", "ci", "publicKey", pub)).post("/api/v1/publisher-keys")
                .then().statusCode(403);
        String id = admin().contentType(ContentType.JSON).body(Map.of("name", "ci-signer", "publicKey", pub))
                .post("/api/v1/publisher-keys").then().statusCode(201)
                .body("keyId", equalTo(Ed25519.keyId(publisherKey.getPublic()))).extract().path("id");
        admin().contentType(ContentType.JSON).body(Map.of("name", "bad", "publicKey", "AAAA")).post("/api/v1/publisher-keys")
                .then().statusCode(400);

        String m = Api.createModel("pubsig");
        Api.createVersion(m, "1.0.0");
        byte[] bytes = Api.onnxModel(2048, 812);
        String sig = Base64.getEncoder().encodeToString(Ed25519.sign(publisherKey.getPrivate(),
                PublisherSignatures.message(m, "1.0.0", "model.onnx", Api.sha256(bytes), bytes.length)));
        String header = "keyid=" + Ed25519.keyId(publisherKey.getPublic()) + ", sig=" + sig;
        String url = "/api/v1/models/" + m + "/versions/1.0.0/artifacts/";

        // The same signature on another file name is a replay.
        publisher().contentType("application/octet-stream").header("Modelyard-Signature", header).body(bytes)
                .put(url + "other.onnx").then().statusCode(422).body("detail", containsString("does not match"));
        publisher().contentType("application/octet-stream").header("Modelyard-Signature", "keyid=zz, sig=" + sig).body(bytes)
                .put(url + "model.onnx").then().statusCode(400);
        publisher().contentType("application/octet-stream")
                .header("Modelyard-Signature", "keyid=" + "0".repeat(64) + ", sig=" + sig).body(bytes)
                .put(url + "model.onnx").then().statusCode(422).body("detail", containsString("unknown"));
        viewer().get(url).then().body("total", equalTo(0));

        publisher().contentType("application/octet-stream").header("Modelyard-Signature", header).body(bytes)
                .put(url + "model.onnx").then().statusCode(201)
                .body("metadata.publisherSignature.name", equalTo("ci-signer"));

        admin().delete("/api/v1/publisher-keys/{id}", id).then().statusCode(200).body("revokedAt", notNullValue());
        publisher().contentType("application/octet-stream").header("Modelyard-Signature", header).body(bytes)
                .put(url + "model.onnx").then().statusCode(422).body("detail", containsString("revoked"));
    }

    private static String latestRoot() {
        return given().get("/api/v1/trust/roots/latest").then().statusCode(200).extract().asString();
    }
}
