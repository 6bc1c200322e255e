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
                .map(caller -> (SecurityIdentity) QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(caller.name()))
                        .addPermissionsAsString(caller.role().permissions())
                        .addAttribute(TOKEN_ID_ATTRIBUTE, caller.tokenId())
                        .build())
                .orElseThrow(() -> new AuthenticationFailedException("the API token is unknown, expired or revoked")));
    }
}
