package dev.modelyard.server.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Names a request answered by a plain Vert.x route in the HTTP metrics, by a route template (its
 * {@code uri} tag), as the REST layer does for its own requests: otherwise the tag is the path
 * itself, one series per device or file until Micrometer's limit on uri values is used up.
 */
public final class RouteMetrics {

    /** Where Quarkus's HTTP metrics read a request's route template: the request context's locals. */
    private static final String URL_PATH_TEMPLATE = "UrlPathTemplate";

    private RouteMetrics() {
    }

    /** Tags the current request with {@code template}; call on the request's own (I/O) thread. */
    public static void nameRoute(String template) {
        Context vertxContext = Vertx.currentContext();
        if (vertxContext != null) vertxContext.putLocal(URL_PATH_TEMPLATE, template);
    }
}
