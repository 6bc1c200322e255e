package dev.modelyard.server.audit;

import dev.modelyard.server.auth.Role;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Grants {@value AuditResource#READ} to admin tokens, the role that sees everything. Stands in
 * until roles carry their permissions themselves; then the admin role's permission list holds it.
 */
@ApplicationScoped
public class AuditReadPermission implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !identity.hasRole(Role.ADMIN_NAME)) return Uni.createFrom().item(identity);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addPermissionAsString(AuditResource.READ).build());
    }
}
