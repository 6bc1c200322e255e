package dev.modelyard.server.tenant;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks the tenant a client says it means ({@value #HEADER}, sent by the API client and the CLI
 * when a tenant was chosen) against the tenant of its API token. A token acts only in its own
 * tenant, so a mismatch is refused rather than answered with another tenant's data than the one
 * the caller asked for: a script pointed at the wrong context fails loudly instead of changing the
 * wrong team's fleet. Without the header the token's tenant applies, as always.
 */
public class TenantHeaderFilter {

    public static final String HEADER = "Modelyard-Tenant";
    /** Where API tokens are used; elsewhere (the DDI API names its tenant in the path) the header means nothing. */
    private static final String[] TOKEN_PATHS = {"/api/", "/rest/"};

    private final CurrentIdentityAssociation identities;

    public TenantHeaderFilter(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** Non-blocking, like every filter that reads the identity: some operations run on the event loop. */
    @ServerRequestFilter(priority = Priorities.AUTHORIZATION + 5)
    public Uni<Void> check(ContainerRequestContext request) {
        String asked = request.getHeaderString(HEADER);
        if (asked == null) return Uni.createFrom().voidItem();
        String path = request.getUriInfo().getPath();
        if (!path.startsWith(TOKEN_PATHS[0]) && !path.startsWith(TOKEN_PATHS[1])) return Uni.createFrom().voidItem();
        return identities.getDeferredIdentity().invoke(identity -> requireSame(identity, asked.strip())).replaceWithVoid();
    }

    private static void requireSame(SecurityIdentity identity, String asked) {
        if (identity.isAnonymous()) return; // the operation's own check answers 401 (or serves a public read)
        String own = identity.getAttribute(TenantContext.ATTRIBUTE) instanceof String t ? t : Tenants.DEFAULT;
        if (!own.equals(asked)) {
            throw DomainException.of(ErrorCode.TENANT_MISMATCH, HEADER + ": '" + clip(asked) + "' is not the tenant of this API token ('"
                    + own + "'); a token acts only in its own tenant: use a token of '" + clip(asked) + "' or drop the header");
        }
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
