package dev.modelyard.server.signing;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs rollback authorizations (see {@link dev.modelyard.wire.trust.RollbackAuthorization}) with
 * the current tenant's release key: the only way a device running Modelyard's updater installs
 * an older release of a model than the one it runs.
 */
@ApplicationScoped
public class RollbackAuthorizations {

    /**
     * The signed envelope (JSON) that authorizes exactly this published release of the model in
     * the current tenant. Call in a transaction.
     */
    public String authorize(String model, String version) {
        throw DomainException.of(ErrorCode.UNAVAILABLE, "rollback authorizations are not signed yet");
    }
}
