package dev.modelyard.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
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
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tenant signs its releases with its own key, which only its own root chain makes devices trust. */
@QuarkusTest
class TenantReleaseKeyTest {

    @Inject
    AgroalDataSource db;

    private static PublicKey releaseKey(io.restassured.specification.RequestSpecification as) {
        String b64 = as.get("/api/v1/trust/status").then().statusCode(200).extract().path("releasePublicKey");
        return Ed25519.publicKeyFromRaw(Base64.getDecoder().decode(b64));
    }

    private static SignedEnvelope root(PublicKey release, KeyPair rootKey) {
        return Signer.of(rootKey).sign(RootMetadata.create(1, Instant.now().plus(365, ChronoUnit.DAYS),
                List.of(rootKey.getPublic()), 1, List.of(release), 1));
    }

    private static Expectations device(String tenant, String model) {
        return new Expectations(tenant, model, new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.20.0", 4096L, "linux"),
                null, null, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
    }

    @Test
    void aDeviceOfATenantVerifiesItsReleasesAgainstThatTenantsRootOnly() throws Exception {
        Teams.Team b = Teams.team("keys");
        PublicKey bKey = releaseKey(b.as());
        PublicKey serverKey = releaseKey(Api.viewer());
        assertNotEquals(Ed25519.keyId(serverKey), Ed25519.keyId(bKey), "a new tenant has a release key of its own");

        KeyPair rootKey = Ed25519.generate();
        SignedEnvelope bRoot = root(bKey, rootKey);
        b.as().contentType(ContentType.JSON).body(bRoot.toJson()).post("/api/v1/trust/roots").then().statusCode(201);
        b.as().get("/api/v1/trust/status").then().statusCode(200).body("releaseKeyTrusted", org.hamcrest.Matchers.equalTo(true));

        String json = b.as().get("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx/signed-metadata", b.model())
                .then().statusCode(200).extract().asString();
        VerifiedRelease release = new Verifier(new TrustStore(bRoot)).verifyRelease(SignedEnvelope.parse(json),
                device(b.tenant(), b.model()));
        assertEquals(b.tenant(), release.metadata().tenant());
        assertEquals("1.0.0", release.metadata().version());

        // A root that trusts the server's (the default tenant's) key does not make B's releases valid,
        // nor does B's root make them valid for a device of another tenant.
        assertThrows(VerificationException.class, () -> new Verifier(new TrustStore(root(serverKey, rootKey)))
                .verifyRelease(SignedEnvelope.parse(json), device(b.tenant(), b.model())));
        assertThrows(VerificationException.class, () -> new Verifier(new TrustStore(bRoot))
                .verifyRelease(SignedEnvelope.parse(json), device("default", b.model())));

        // The private key is stored only encrypted.
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT release_key FROM tenant WHERE id = ?")) {
            ps.setString(1, b.tenant());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("v1:"), "AES-GCM sealed: " + rs.getString(1));
            }
            ps.setString(1, "default");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(null, rs.getString(1), "the default tenant keeps the server's configured key");
            }
        }
    }
}
