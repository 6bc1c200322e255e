package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** API tokens ({@code /api/v1/tokens}). */
public final class Tokens extends Area {

    /** @param expiresAt null for a token that does not expire */
    public record NewToken(String name, String role, Instant expiresAt) {
    }

    /** @param token the secret: only in the answer that issued it, never again */
    public record Token(UUID id, String name, String role, String hint, Instant createdAt, String createdBy,
                        Instant expiresAt, Instant revokedAt, String token) {
    }

    Tokens(Transport t) {
        super(t);
    }

    public Token create(NewToken token) {
        return t.call("POST", "/api/v1/tokens", token, Token.class);
    }

    public List<Token> list() {
        return t.list("/api/v1/tokens", Token.class);
    }

    public Token revoke(UUID id) {
        return t.call("DELETE", Query.path("/api/v1/tokens/{}", id), null, Token.class);
    }
}
