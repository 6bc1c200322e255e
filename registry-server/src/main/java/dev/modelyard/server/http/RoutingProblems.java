package dev.modelyard.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        response.setStatusCode(problem.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        headers.forEach(response::putHeader);
        response.end(serialize(problem));
    }

    static String serialize(Problem problem) {
        try {
            return JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem record always serializes", e);
        }
    }
}
