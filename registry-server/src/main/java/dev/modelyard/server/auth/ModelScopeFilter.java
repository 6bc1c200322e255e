package dev.modelyard.server.auth;

import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Confines scoped tokens ({@link ModelScope}) on every operation, so no resource checks it: outside the
 * model catalogue they are refused; inside it, a model whose name the scope does not match does not exist.
 */
public class ModelScopeFilter {

    /** Where API tokens are used; elsewhere (the DDI API, health, metrics) no request is looked at. */
    private static final String[] TOKEN_PATHS = {"/api/", "/rest/"};
    /** Open to anyone anyway: a scoped token sent along (as clients do) must not close it. */
    private static final String PUBLIC_TRUST = "/api/v1/trust/roots";
    /** The live event stream: a scoped token hears the events of its own models there, and no others. */
    private static final String LIVE_EVENTS = "/api/v1/events";
    /** Who the token is ({@link SessionResource}): every valid token may ask, scoped or not. */
    private static final String SESSION = "/api/v1/session";

    private final CurrentIdentityAssociation identities;

    public ModelScopeFilter(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /**
     * Non-blocking: some operations run on the event loop, where the identity may only be awaited. Paths
     * that take no API token are let through before the identity is asked for at all.
     */
    @ServerRequestFilter(priority = Priorities.AUTHORIZATION + 10)
    public Uni<Void> confine(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith(TOKEN_PATHS[0]) && !path.startsWith(TOKEN_PATHS[1])) return Uni.createFrom().voidItem();
        return identities.getDeferredIdentity().invoke(identity -> check(identity, request, path)).replaceWithVoid();
    }

    private static void check(SecurityIdentity identity, ContainerRequestContext request, String path) {
        if (!(identity.getAttribute(TokenIdentityProvider.SCOPE_ATTRIBUTE) instanceof String glob)) return;
        if (!within(path, ModelScope.CATALOGUE) && !within(path, PUBLIC_TRUST) && !path.equals(SESSION)
                && !path.equals(LIVE_EVENTS)) {
            throw ApiException.of(ErrorCode.OUT_OF_SCOPE, "this token is scoped to models named '" + glob
                    + "': it reaches only " + ModelScope.CATALOGUE + " and what is below it");
        }
        String model = request.getUriInfo().getPathParameters().getFirst("model");
        if (model != null && !ModelScope.matches(glob, model)) {
            // Absent rather than forbidden: a scoped token learns nothing about the models outside its scope.
            throw ApiException.of(ErrorCode.MODEL_NOT_FOUND, "no model named '" + model + "'");
        }
    }

    private static boolean within(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
