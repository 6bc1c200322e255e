package dev.modelyard.server.signing;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.RollbackAuthorization;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.Verifier;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rollback authorization is signed with the tenant's release key, names exactly one release,
 * and lets a device's verifier accept that release below its installed counter, and no other.
 */
@QuarkusTest
class RollbackAuthorizationsTest {

    @Inject
    RollbackAuthorizations authorizations;
    @Inject
    TenantContext tenants;

    private String authorize(String model, String version) {
        return tenants.callAs("default", () -> QuarkusTransaction.requiringNew().call(() -> authorizations.authorize(model, version)));
    }

    private static String release(String model, String version) {
        return viewer().get("/api/v1/models/" + model + "/versions/" + version + "/artifacts/model.onnx/signed-metadata")
                .then().statusCode(200).extract().asString();
    }

    /** A root of this test's own that trusts the server's release key: what a provisioned device holds. */
    private static Verifier deviceVerifier() throws VerificationException {
        KeyPair root = Ed25519.generate();
        RootMetadata r = RootMetadata.create(1, Instant.now().plus(365, ChronoUnit.DAYS), List.of(root.getPublic()), 1,
                List.of(SigningApiTest.serverReleaseKey()), 1);
        return new Verifier(new TrustStore(Signer.of(root).sign(r)));
    }

    @Test
    void coversExactlyTheReleaseAndVerifiesWithTheTenantsKey() throws Exception {
        String m = Api.modelWithArtifact("rollback", "1.0.0", Api.onnxModel(901));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        Api.createVersion(m, "1.1.0");
        Api.upload(m, "1.1.0", "model.onnx", Api.onnxModel(902), null).then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/1.1.0/publish", m).then().statusCode(200);

        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SignedEnvelope auth = SignedEnvelope.parse(authorize(m, "1.0.0"));
        RollbackAuthorization signed = RollbackAuthorization.fromMap(auth.signed());
        assertEquals("default", signed.tenant());
        assertEquals(m, signed.model());
        assertEquals("1.0.0", signed.toVersion());
        assertEquals(1, signed.toReleaseCounter());
        // The default lifetime: generous, since it is not renewed.
        assertTrue(!signed.expiresAt().isBefore(before.plus(Duration.ofDays(90))), "expires " + signed.expiresAt());

        Verifier verifier = deviceVerifier();
        Expectations onNewer = new Expectations("default", m, new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime",
                "1.20.0", 4096L, "linux"), 2L, null, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
        SignedEnvelope older = SignedEnvelope.parse(release(m, "1.0.0"));
        assertEquals(VerificationException.Reason.ROLLBACK,
                assertThrows(VerificationException.class, () -> verifier.verifyRelease(older, onNewer)).reason());
        assertEquals("1.0.0", verifier.verifyRelease(older, onNewer.withInstalled(2L, auth)).metadata().version());

        // An authorization for another release does not cover this one.
        SignedEnvelope forNewer = SignedEnvelope.parse(authorize(m, "1.1.0"));
        assertEquals(VerificationException.Reason.ROLLBACK, assertThrows(VerificationException.class,
                () -> verifier.verifyRelease(older, onNewer.withInstalled(3L, forNewer))).reason());
        // Nor is one signed by a key the device does not trust.
        SignedEnvelope foreign = Signer.of(Ed25519.generate()).sign(signed);
        assertThrows(VerificationException.class, () -> verifier.verifyRelease(older, onNewer.withInstalled(2L, foreign)));
    }

    @Test
    void draftsAndRevokedVersionsAreRefused() {
        String m = Api.modelWithArtifact("rollback-draft", "1.0.0", Api.onnxModel(903));
        DomainException draft = assertThrows(DomainException.class, () -> authorize(m, "1.0.0"));
        assertEquals(ErrorCode.VERSION_NOT_DEPLOYABLE, draft.code());

        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        authorize(m, "1.0.0");
        publisher().contentType(ContentType.JSON).body("{\"status\":\"deprecated\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200);
        authorize(m, "1.0.0");
        publisher().contentType(ContentType.JSON).body("{\"status\":\"revoked\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200);
        assertEquals(ErrorCode.VERSION_NOT_DEPLOYABLE,
                assertThrows(DomainException.class, () -> authorize(m, "1.0.0")).code());
        assertEquals(ErrorCode.VERSION_NOT_FOUND,
                assertThrows(DomainException.class, () -> authorize(m, "9.9.9")).code());
    }
}
