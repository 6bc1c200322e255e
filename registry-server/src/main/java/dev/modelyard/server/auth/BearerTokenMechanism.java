package dev.modelyard.server.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer <token>} on management API requests, and on hawkBit's Management API
 * ({@value #HAWKBIT_PREFIX}) also {@code Basic} with any user name and the API token as password. {@code TargetToken} and
 * {@code GatewayToken} (device credentials) are left to the device API's own mechanism. Requests without the
 * header stay anonymous, so open endpoints (health, metrics, OpenAPI) keep working and protected
 * ones answer 401.
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {

    static final String SCHEME = "Bearer";
    static final String BASIC = "Basic";
    /** Where hawkBit's Management API lives (see the hawkbit package). */
    public static final String HAWKBIT_PREFIX = dev.modelyard.server.http.ApiDocumentation.HAWKBIT_MGMT_PATH;
    /** hawkBit device schemes, lower-case: left to the device API's mechanism. */
    private static final Set<String> DEVICE_SCHEMES = Set.of("targettoken", "gatewaytoken");

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        int space = header.indexOf(' ');
        if (space > 0 && DEVICE_SCHEMES.contains(header.substring(0, space).toLowerCase(java.util.Locale.ROOT))) {
            // Device credentials (hawkBit DDI): handled by the ddi package's own mechanism.
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        if (space > 0 && header.substring(0, space).equalsIgnoreCase(BASIC) && isHawkbitPath(context)) {
            // hawkBit's Management API clients send HTTP Basic; the password is our API token.
            return basic(header.substring(space + 1).strip(), identityProviderManager);
        }
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase(SCHEME)) {
            return Uni.createFrom().failure(new AuthenticationFailedException(
                    "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'"));
        }
        String token = header.substring(space + 1).strip();
        if (token.isEmpty() || token.length() > 256) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is empty or malformed"));
        }
        return identityProviderManager.authenticate(new TokenAuthenticationRequest(new TokenCredential(token, SCHEME)));
    }

    /** The hawkBit-compatible Management API, where Basic is accepted beside Bearer. */
    public static boolean isHawkbitPath(RoutingContext context) {
        String path = context.normalizedPath();
        return path.equals(HAWKBIT_PREFIX) || path.startsWith(HAWKBIT_PREFIX + "/");
    }

    private static Uni<SecurityIdentity> basic(String encoded, IdentityProviderManager identityProviderManager) {
        String decoded;
        try {
            decoded = new String(java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the Basic credentials are not valid base64"));
        }
        int colon = decoded.indexOf(':');
        String token = colon < 0 ? "" : decoded.substring(colon + 1).strip();
        if (token.isEmpty() || token.length() > 256) {
            return Uni.createFrom().failure(new AuthenticationFailedException(
                    "send an API token as the Basic password (any user name): 'Authorization: Basic base64(user:token)'"));
        }
        return identityProviderManager.authenticate(new TokenAuthenticationRequest(new TokenCredential(token, BASIC)));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        if (isHawkbitPath(context)) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Basic realm=\"modelyard\""));
        }
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"modelyard\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}
