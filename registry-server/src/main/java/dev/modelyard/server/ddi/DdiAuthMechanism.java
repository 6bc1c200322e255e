package dev.modelyard.server.ddi;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code Authorization: TargetToken <token>} and {@code GatewayToken <token>} on DDI paths
 * ({@code /{tenant}/controller/v1/{controllerId}/…}). Bad or missing credentials leave the
 * request anonymous: the DDI resource then answers 401 with an empty body, as hawkBit does.
 * Credentials that could not be checked (the database is unreachable) are not bad credentials:
 * that failure goes on to the resource, which answers 503 with {@code Retry-After}, so a valid
 * device keeps its token and simply polls again.
 */
@ApplicationScoped
public class DdiAuthMechanism implements HttpAuthenticationMechanism {

    static final Pattern DDI_PATH = Pattern.compile("^/([^/]+)/controller/v1/([^/]+)(?:/.*)?$");

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        Matcher m = DDI_PATH.matcher(context.normalizedPath());
        String header = context.request().getHeader("Authorization");
        if (!m.matches() || header == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0) return Uni.createFrom().optional(java.util.Optional.empty());
        DdiCredentials.Scheme scheme = switch (h.substring(0, space).toLowerCase(Locale.ROOT)) {
            case "targettoken" -> DdiCredentials.Scheme.TARGET_TOKEN;
            case "gatewaytoken" -> DdiCredentials.Scheme.GATEWAY_TOKEN;
            default -> null;
        };
        String token = h.substring(space + 1).strip();
        if (scheme == null || token.isEmpty() || token.length() > 512) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        DdiCredentials request = new DdiCredentials(scheme, token, decode(m.group(1)), decode(m.group(2)));
        return identityProviderManager.authenticate(request)
                .onFailure(AuthenticationFailedException.class).recoverWithNull();
    }

    private static String decode(String segment) {
        return segment.indexOf('%') < 0 ? segment : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "TargetToken"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(DdiCredentials.class);
    }
}
