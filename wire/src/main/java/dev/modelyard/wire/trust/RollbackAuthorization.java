package dev.modelyard.wire.trust;

import java.time.Instant;
import java.util.Map;

/**
 * Permission, signed by the release role, for devices to install one older release of a model
 * even though they have a newer one: without it they refuse any release counter lower than the
 * installed one. It names the release exactly (version and counter) and expires like releases.
 *
 * <pre>{"_type":"rollback","specVersion":1,"tenant":"default","model":"kws","toVersion":"1.1.0",
 *  "toReleaseCounter":5,"issuedAt":"2026-05-20T00:00:00Z","expiresAt":"2026-06-20T00:00:00Z"}</pre>
 */
public record RollbackAuthorization(String tenant, String model, String toVersion, long toReleaseCounter,
                                    Instant issuedAt, Instant expiresAt) implements SignedMetadata {

    public static final String TYPE = "rollback";
    private static final String DOC = "rollback authorization";

    public RollbackAuthorization {
        Fields.require(tenant, ArtifactMetadata.NAME, DOC, "tenant", "a lower-case name");
        Fields.require(model, ArtifactMetadata.NAME, DOC, "model", "a lower-case name");
        ArtifactMetadata.checkVersion(toVersion, DOC, "toVersion");
        ArtifactMetadata.checkCounter(toReleaseCounter, DOC, "toReleaseCounter");
        issuedAt = Fields.checkTime(issuedAt, DOC, "issuedAt");
        expiresAt = Fields.checkTime(expiresAt, DOC, "expiresAt");
        ArtifactMetadata.checkWindow(issuedAt, expiresAt, DOC);
    }

    /** True when this authorizes exactly the given release. */
    public boolean covers(ArtifactMetadata release) {
        return tenant.equals(release.tenant()) && model.equals(release.model())
                && toVersion.equals(release.version()) && toReleaseCounter == release.releaseCounter();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Object> toMap() {
        return Fields.orderedMap("_type", TYPE, "specVersion", (long) SPEC_VERSION, "tenant", tenant, "model", model,
                "toVersion", toVersion, "toReleaseCounter", toReleaseCounter,
                "issuedAt", Fields.formatTime(issuedAt), "expiresAt", Fields.formatTime(expiresAt));
    }

    /** Reads the {@code signed} object of a rollback envelope, strictly. */
    public static RollbackAuthorization fromMap(Object value) {
        Fields f = Fields.of(value, DOC, "", "_type", "specVersion", "tenant", "model", "toVersion",
                "toReleaseCounter", "issuedAt", "expiresAt");
        f.requireHeader(TYPE);
        return new RollbackAuthorization(f.string("tenant"), f.string("model"), f.string("toVersion"),
                f.integer("toReleaseCounter"), f.instant("issuedAt"), f.instant("expiresAt"));
    }
}
