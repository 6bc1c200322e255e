package dev.modelyard.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Answers with a problem body from below the REST layer: route filters and handlers that refuse a
 * request before it reaches a resource (limits, malformed requests). Everything above them goes
 * through {@link ProblemMappers}.
 */
public final class RoutingProblems {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoutingProblems() {
    }

    /** Ends the exchange with {@code problem}; the extra headers (e.g. Retry-After) go with it. */
    public static void send(RoutingContext context, Problem problem, Map<String, String> headers) {
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            context.request().connection().close();
            return;
        }
        ProblemShape shape = shapeFor(RequestShape.rawPath(context.request()));
        response.setStatusCode(problem.status())
                .putHeader("Content-Type", shape == null ? Problem.MEDIA_TYPE : "application/json");
        headers.forEach(response::putHeader);
        response.end(serialize(shape == null ? problem : shape.body(problem)));
    }

    /** The shape problems take at this raw path, or null for problem+json. */
    static ProblemShape shapeFor(String path) {
        if (path == null) return null;
        for (ProblemShape shape : Arc.container().select(ProblemShape.class)) {
            if (shape.covers(path)) return shape;
        }
        return null;
    }

    static String serialize(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem bodies are records and always serialize", e);
        }
    }
}
