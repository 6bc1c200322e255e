package dev.modelyard.server.signing;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Signer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Each tenant's release key. The default tenant's is the server's ({@link ReleaseKey}); every
 * other tenant gets its own Ed25519 key the first time it signs, so its devices trust only its
 * releases. Its private part is stored in the tenant's row AES-256-GCM encrypted under a key
 * derived (HKDF-SHA256, the tenant id as context) from the server's release key: every replica
 * configured with that key can read it, and the database alone reveals nothing.
 */
@ApplicationScoped
public class ReleaseKeys {

    /** A release key: what signs, and how devices name it. */
    public record Key(Signer signer, String keyId, String publicKey) {
    }

    private static final String FORMAT = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReleaseKey server;
    private final TenantContext tenants;
    private final AgroalDataSource db;
    private final Map<String, Key> keys = new ConcurrentHashMap<>();

    public ReleaseKeys(ReleaseKey server, TenantContext tenants, AgroalDataSource db) {
        this.server = server;
        this.tenants = tenants;
        this.db = db;
    }

    /** The current tenant's key. */
    public Key current() {
        return of(tenants.current());
    }

    public Key of(String tenant) {
        if (Tenants.DEFAULT.equals(tenant)) return new Key(server.signer(), server.keyId(), server.publicKey());
        // Created and read back in a transaction of its own, committed before the key is cached:
        // joining the caller's would let its rollback drop the stored key while this replica keeps
        // using it, and another replica would then create a different one.
        return keys.computeIfAbsent(tenant, t -> QuarkusTransaction.requiringNew().call(() -> loadOrCreate(t)));
    }

    private Key loadOrCreate(String tenant) {
        try (Connection c = db.getConnection()) {
            String stored = read(c, tenant);
            if (stored == null) {
                // Two replicas may race to create it: the first write wins and both use that one.
                try (PreparedStatement ps = c.prepareStatement("UPDATE tenant SET release_key = ? WHERE id = ? AND release_key IS NULL")) {
                    ps.setString(1, seal(tenant, Ed25519.seedOf(Ed25519.generate().getPrivate())));
                    ps.setString(2, tenant);
                    ps.executeUpdate();
                }
                stored = read(c, tenant);
                if (stored == null) throw new IllegalStateException("tenant '" + tenant + "' does not exist");
            }
            KeyPair pair = Ed25519.keyPairFromSeed(open(tenant, stored));
            return new Key(Signer.of(pair), Ed25519.keyId(pair.getPublic()),
                    Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(pair.getPublic())));
        } catch (SQLException e) {
            throw new IllegalStateException("reading tenant '" + tenant + "''s release key failed", e);
        }
    }

    private static String read(Connection c, String tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT release_key FROM tenant WHERE id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    String seal(String tenant, byte[] seed) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher aes = cipher(Cipher.ENCRYPT_MODE, tenant, nonce);
            byte[] sealed = aes.doFinal(seed);
            return FORMAT + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] open(String tenant, String stored) {
        if (!stored.startsWith(FORMAT)) throw new IllegalStateException("tenant '" + tenant + "''s release key has an unknown format");
        byte[] all = Base64.getDecoder().decode(stored.substring(FORMAT.length()));
        try {
            Cipher aes = cipher(Cipher.DECRYPT_MODE, tenant, Arrays.copyOf(all, NONCE_BYTES));
            return aes.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("tenant '" + tenant + "''s release key cannot be decrypted: was the server's release key changed?", e);
        }
    }

    private Cipher cipher(int mode, String tenant, byte[] nonce) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(mode, new SecretKeySpec(wrappingKey(tenant), "AES"), new GCMParameterSpec(128, nonce));
        // The tenant id is authenticated too: a key copied into another tenant's row does not open.
        aes.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
        return aes;
    }

    /** HKDF-SHA256 (RFC 5869) of the server's release key seed, one 32-byte key per tenant. */
    private byte[] wrappingKey(String tenant) throws GeneralSecurityException {
        Mac extract = Mac.getInstance("HmacSHA256");
        extract.init(new SecretKeySpec("modelyard tenant release keys".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] prk = extract.doFinal(server.seed());
        Mac expand = Mac.getInstance("HmacSHA256");
        expand.init(new SecretKeySpec(prk, "HmacSHA256"));
        expand.update(("tenant release key\0" + tenant).getBytes(StandardCharsets.UTF_8));
        expand.update((byte) 1);
        return expand.doFinal();
    }
}
