package dev.modelyard.server.http;

/**
 * Another wire shape for the problems answered under some paths, for APIs that copy another
 * server's error body (hawkBit's Management API). A bean of this type is consulted by the
 * handlers below the REST layer ({@link RoutingProblems}); above it, the API's own response
 * filter reshapes the problem. Statuses and codes are still decided by {@link ProblemMappers}.
 */
public interface ProblemShape {

    /** Whether problems answered for this raw request path take this shape. */
    boolean covers(String path);

    /** The JSON body sent in place of {@code problem}. */
    Object body(Problem problem);
}
