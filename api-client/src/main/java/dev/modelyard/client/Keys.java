package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Publisher keys whose signatures uploads may carry ({@code /api/v1/publisher-keys}). */
public final class Keys {

    /** @param publicKey the Ed25519 public key as the key file writes it */
    public record NewKey(String name, String publicKey) {
    }

    public record Key(UUID id, String name, String keyId, String publicKey, Instant createdAt, String createdBy,
                      Instant revokedAt) {
    }

    private final Transport t;

    Keys(Transport t) {
        this.t = t;
    }

    public Key register(NewKey key) {
        return t.call("POST", "/api/v1/publisher-keys", key, Key.class);
    }

    public List<Key> list() {
        return t.list("/api/v1/publisher-keys", Key.class);
    }

    public Key revoke(UUID id) {
        return t.call("DELETE", Query.path("/api/v1/publisher-keys/{}", id), null, Key.class);
    }
}
