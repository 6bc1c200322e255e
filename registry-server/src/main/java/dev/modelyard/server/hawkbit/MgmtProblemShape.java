package dev.modelyard.server.hawkbit;

import dev.modelyard.server.http.Problem;
import dev.modelyard.server.http.ProblemShape;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;

/** hawkBit's error body for the refusals answered below the REST layer (malformed requests, limits) on {@code /rest/v1}. */
// Looked up programmatically, never injected: kept by @Unremovable.
@Singleton
@Unremovable
public class MgmtProblemShape implements ProblemShape {

    @Override
    public boolean covers(String path) {
        return MgmtErrors.isManagementPath(path);
    }

    @Override
    public Object body(Problem problem) {
        return MgmtErrors.info(problem);
    }
}
