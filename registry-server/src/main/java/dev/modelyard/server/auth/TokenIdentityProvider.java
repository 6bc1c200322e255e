package dev.modelyard.server.auth;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.tenant.TenantRefusals;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Resolves a bearer token to an identity holding its role's permissions ({@link Permission}), which
 * {@code @PermissionsAllowed} on the management operations checks, and the token's tenant
 * ({@value TenantContext#ATTRIBUTE}).
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    public static final String TOKEN_ID_ATTRIBUTE = "modelyard.token-id";
    /** The model-name glob a scoped token is confined to (see {@link ModelScope}); absent for an unscoped token. */
    public static final String SCOPE_ATTRIBUTE = "modelyard.scope";

    private final TokenService tokens;
    private final TenantContext tenants;
    private final TenantDirectory directory;

    public TokenIdentityProvider(TokenService tokens, TenantContext tenants, TenantDirectory directory) {
        this.tokens = tokens;
        this.tenants = tenants;
        this.directory = directory;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String secret = request.getToken().getToken();
        // Cross-tenant by necessity: the token's hash is all there is to find it by, and it names the tenant.
        return context.runBlocking(() -> tenants.acrossTenants(() -> tokens.authenticate(secret))
                .map(this::identity)
                .orElseThrow(() -> new AuthenticationFailedException("the API token is unknown, expired or revoked")));
    }

    private SecurityIdentity identity(TokenService.Caller caller) {
        if (!directory.find(caller.tenant()).map(TenantDirectory.Entry::enabled).orElse(false)) {
            throw TenantRefusals.disabled(caller.tenant());
        }
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.name()))
                .addPermissionsAsString(caller.permissions())
                .addAttribute(TOKEN_ID_ATTRIBUTE, caller.tokenId())
                .addAttribute(TenantContext.ATTRIBUTE, caller.tenant());
        if (caller.scope() != null) b.addAttribute(SCOPE_ATTRIBUTE, caller.scope());
        return b.build();
    }
}
