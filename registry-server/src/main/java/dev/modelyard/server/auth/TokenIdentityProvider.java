package dev.modelyard.server.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.PermissionsAllowed;
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
 * {@code @PermissionsAllowed} on the management operations checks.
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    public static final String TOKEN_ID_ATTRIBUTE = "modelyard.token-id";
    /** The model-name glob a scoped token is confined to (see {@link ModelScope}); absent for an unscoped token. */
    public static final String SCOPE_ATTRIBUTE = "modelyard.scope";

    private final TokenService tokens;

    public TokenIdentityProvider(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String secret = request.getToken().getToken();
        return context.runBlocking(() -> tokens.authenticate(secret)
                .map(TokenIdentityProvider::identity)
                .orElseThrow(() -> new AuthenticationFailedException("the API token is unknown, expired or revoked")));
    }

    private static SecurityIdentity identity(TokenService.Caller caller) {
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.name()))
                .addPermissionsAsString(caller.permissions())
                .addAttribute(TOKEN_ID_ATTRIBUTE, caller.tokenId());
        if (caller.scope() != null) b.addAttribute(SCOPE_ATTRIBUTE, caller.scope());
        return b.build();
    }
}
