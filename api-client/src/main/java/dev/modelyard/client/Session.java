package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The calling token ({@code GET /api/v1/session}): a cheap authorized call that says who one is. */
public final class Session extends Area {

    public record TenantRef(String id, String name) {
    }

    /** @param scope the model-name glob a scoped token is confined to; null: every model */
    public record TokenRef(UUID id, String name, String role, String scope, Instant expiresAt) {
    }

    public record View(TenantRef tenant, TokenRef token, List<String> permissions) {
    }

    Session(Transport t) {
        super(t);
    }

    /** Fails with 401 {@code unauthorized} for a wrong token, 403 {@code tenant-mismatch} for a token of another tenant. */
    public View get() {
        return t.get("/api/v1/session", View.class);
    }
}
