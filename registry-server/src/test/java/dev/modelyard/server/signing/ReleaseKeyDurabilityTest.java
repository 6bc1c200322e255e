package dev.modelyard.server.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.wire.trust.Ed25519;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A tenant's release key outlives the transaction that needed it, and one tenant's broken key stops only its own renewal. */
@QuarkusTest
class ReleaseKeyDurabilityTest {

    @Inject
    AgroalDataSource db;
    @Inject
    ReleaseKeys keys;
    @Inject
    ReleaseSigner signer;
    @Inject
    MeterRegistry registry;

    private static String createTenant(String prefix) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Api.as(TestServer.ADMIN_TOKEN).contentType(ContentType.JSON).body(Map.of("id", id, "name", id))
                .post("/api/v1/tenants").then().statusCode(201);
        return id;
    }

    private String storedKey(String tenant) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT release_key FROM tenant WHERE id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private void execute(String sql, String... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
            ps.executeUpdate();
        }
    }

    @Test
    void aKeyCreatedInATransactionThatRollsBackStaysStoredAndIsTheOneInUse() throws Exception {
        String tenant = createTenant("rollback");
        String[] inside = new String[1];
        // The first signing of a tenant happens inside some other work (a publication, say) that then fails.
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            inside[0] = keys.of(tenant).keyId();
            throw new IllegalStateException("the publication fails after signing");
        }));

        String stored = storedKey(tenant);
        assertNotNull(stored, "the key is committed although the transaction that asked for it rolled back");
        String storedKeyId = Ed25519.keyId(Ed25519.keyPairFromSeed(keys.open(tenant, stored)).getPublic());
        assertEquals(storedKeyId, inside[0], "the key used inside the transaction is the stored one");
        assertEquals(storedKeyId, keys.of(tenant).keyId(), "the cached key is the stored one");
    }

    @Test
    void aTenantWhoseRenewalFailsDoesNotStopTheOthers() throws Exception {
        // Tenants are renewed in id order: this one comes before "default".
        String broken = createTenant("aaa-broken");
        byte[] garbage = new byte[48];
        new SecureRandom().nextBytes(garbage);
        execute("UPDATE tenant SET release_key = ? WHERE id = ?", "v1:" + Base64.getEncoder().encodeToString(garbage), broken);
        try {
            String m = Api.modelWithArtifact("renew-after-failure", "1.0.0", Api.onnxModel(907));
            Api.publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
            String release = "(SELECT a.id FROM artifact a JOIN model_version v ON v.id = a.version_id "
                    + "JOIN model mo ON mo.id = v.model_id WHERE mo.name = ?)";
            execute("UPDATE artifact_release SET key_id = 'retired' WHERE artifact_id = " + release, m);
            double failuresBefore = registry.counter("modelyard.signing.renewal.tenant.failures").count();

            assertTrue(signer.renewDue() >= 1, "the default tenant's release was renewed");

            assertTrue(registry.counter("modelyard.signing.renewal.tenant.failures").count() > failuresBefore,
                    "the broken tenant's failure is counted");
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT key_id FROM artifact_release WHERE artifact_id = " + release)) {
                ps.setString(1, m);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(keys.of("default").keyId(), rs.getString(1));
                }
            }
        } finally {
            // A disabled tenant is not renewed: later renewals in this suite do not trip over it.
            execute("UPDATE tenant SET enabled = false WHERE id = ?", broken);
        }
    }
}
