package dev.modelyard.server.signing;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionStatus;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.wire.trust.RollbackAuthorization;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Signs rollback authorizations (see {@link dev.modelyard.wire.trust.RollbackAuthorization}) with
 * the current tenant's release key: the only way a device running Modelyard's updater installs
 * an older release of a model than the one it runs.
 */
@ApplicationScoped
public class RollbackAuthorizations {

    private final ModelLookup lookup;
    private final ReleaseKeys keys;
    private final TenantContext tenants;
    private final ModelyardConfig config;
    private final Clock clock;

    public RollbackAuthorizations(ModelLookup lookup, ReleaseKeys keys, TenantContext tenants, ModelyardConfig config,
                                  Clock clock) {
        this.lookup = lookup;
        this.keys = keys;
        this.tenants = tenants;
        this.config = config;
        this.clock = clock;
    }

    /**
     * The signed envelope (JSON) that authorizes exactly this published (or deprecated) release of
     * the model in the current tenant, valid for {@code modelyard.signing.rollback-lifetime}. Drafts
     * have no release counter and revoked versions must never be installed again: both are refused.
     * Call in a transaction.
     */
    public String authorize(String model, String version) {
        Model m = lookup.model(model);
        ModelVersion v = lookup.exact(m, version);
        return authorize(m, v);
    }

    /** The same for a version already looked up. */
    public String authorize(Model m, ModelVersion v) {
        if ((v.status != VersionStatus.PUBLISHED && v.status != VersionStatus.DEPRECATED) || v.releaseCounter == null) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " of model '" + m.name
                    + "' is " + v.status.name().toLowerCase(java.util.Locale.ROOT)
                    + ": only published or deprecated releases can be rolled back to");
        }
        // Whole seconds, as every metadata time (RFC 3339 without fractions).
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        RollbackAuthorization auth = new RollbackAuthorization(tenants.current(), m.name, v.version, v.releaseCounter,
                now, now.plus(config.signing().rollbackLifetime()));
        return keys.current().signer().sign(auth).toJson();
    }
}
