package dev.modelyard.server.limits;

import dev.modelyard.server.auth.TokenIdentityProvider;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The per-token rate limit of the management API. It counts after authentication, so only real
 * tokens are keys; a request without a valid token is limited by its address ({@link RequestGate})
 * and then refused by the security layer.
 *
 * <p>Concurrency: runs on whatever thread the REST layer runs the filter on; it never blocks (the
 * identity is taken as it is resolved) and the limiter is thread-safe.
 */
public class ApiRateLimit {

    private final Limits limits;
    private final CurrentIdentityAssociation identities;

    public ApiRateLimit(Limits limits, CurrentIdentityAssociation identities) {
        this.limits = limits;
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Response> perToken(HttpServerRequest request) {
        if (limits.apiPerToken().off() || !request.path().startsWith("/api/v1/")) return null;
        return identities.getDeferredIdentity().onItem().transform(identity -> {
            Object tokenId = identity.isAnonymous() ? null : identity.getAttribute(TokenIdentityProvider.TOKEN_ID_ATTRIBUTE);
            if (!(tokenId instanceof UUID id)) return null;
            long retryAfter = limits.tokenRetryAfter(id);
            if (retryAfter == 0) return null;
            throw ApiException.of(ErrorCode.RATE_LIMITED, "this API token sent more requests than its limit ("
                    + limits.apiPerToken() + "); retry after " + retryAfter + " s",
                    Map.of("Retry-After", Long.toString(retryAfter)));
        });
    }
}
