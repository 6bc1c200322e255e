package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Trust: the root chain devices verify releases with ({@code /api/v1/trust}), and the publisher keys
 * whose signatures uploads may carry ({@code /api/v1/publisher-keys}).
 */
public final class Trust extends Area {

    public record Root(int version, Instant expires, List<String> rootKeyIds, int rootThreshold,
                       List<String> releaseKeyIds, int releaseThreshold, String url) {
    }

    public record Status(String releaseKeyId, String releasePublicKey, Integer rootVersion, Instant rootExpires,
                         boolean releaseKeyTrusted, List<String> problems) {
    }

    /** @param publicKey the raw Ed25519 public key, base64 */
    public record NewKey(String name, String publicKey) {
    }

    public record Key(UUID id, String name, String keyId, String publicKey, Instant createdAt, String createdBy,
                      Instant revokedAt) {
    }

    Trust(Transport t) {
        super(t);
    }

    /** Publishes a signed root document, sent exactly as given (its bytes are what the signatures cover). */
    public Root publishRoot(String signedRootJson) {
        return t.call("POST", "/api/v1/trust/roots", signedRootJson, Root.class);
    }

    public List<Root> roots() {
        return t.list("/api/v1/trust/roots", Root.class);
    }

    /** The newest signed root document, byte for byte. */
    public String latestRoot() {
        return t.text("/api/v1/trust/roots/latest");
    }

    public String root(int version) {
        return t.text(Query.path("/api/v1/trust/roots/{}", version));
    }

    public Status status() {
        return t.get("/api/v1/trust/status", Status.class);
    }

    public Key registerKey(NewKey key) {
        return t.call("POST", "/api/v1/publisher-keys", key, Key.class);
    }

    public List<Key> keys() {
        return t.list("/api/v1/publisher-keys", Key.class);
    }

    public Key revokeKey(UUID id) {
        return t.call("DELETE", Query.path("/api/v1/publisher-keys/{}", id), null, Key.class);
    }
}
