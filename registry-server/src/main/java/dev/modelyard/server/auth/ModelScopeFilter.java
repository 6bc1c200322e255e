package dev.modelyard.server.auth;

import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ProblemCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Confines scoped tokens ({@link ModelScope}) on every operation, so no resource checks it: outside the
 * model catalogue they are refused; inside it, a model whose name the scope does not match does not exist.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 10)
public class ModelScopeFilter implements ContainerRequestFilter {

    /** Open to anyone anyway: a scoped token sent along (as clients do) must not close it. */
    private static final String PUBLIC_TRUST = "/api/v1/trust/roots";

    private final ModelScope scope;

    public ModelScopeFilter(ModelScope scope) {
        this.scope = scope;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        var glob = scope.current();
        if (glob.isEmpty()) return;
        String path = request.getUriInfo().getPath();
        if (!within(path, ModelScope.CATALOGUE) && !within(path, PUBLIC_TRUST)) {
            throw ApiException.of(ProblemCode.OUT_OF_SCOPE, "this token is scoped to models named '" + glob.get()
                    + "': it reaches only " + ModelScope.CATALOGUE + " and what is below it");
        }
        String model = request.getUriInfo().getPathParameters().getFirst("model");
        if (model != null && !ModelScope.matches(glob.get(), model)) {
            // Absent rather than forbidden: a scoped token learns nothing about the models outside its scope.
            throw ApiException.of(ProblemCode.MODEL_NOT_FOUND, "no model named '" + model + "'");
        }
    }

    private static boolean within(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
