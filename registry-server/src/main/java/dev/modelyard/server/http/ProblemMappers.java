package dev.modelyard.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.modelyard.server.database.DatabaseFailures;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into an RFC 9457 problem response; no stack trace ever leaves the server. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final String CHALLENGE = "Bearer realm=\"modelyard\"";
    /** An outage fails every request: one warning per this many nanoseconds is enough for the log. */
    private static final long OUTAGE_WARNING_EVERY = 10_000_000_000L;
    private static final AtomicLong lastOutageWarning = new AtomicLong(System.nanoTime() - OUTAGE_WARNING_EVERY);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Problem problem = Problem.of(e.status(), e.getMessage()).with(e.code(), null, null, null);
        if (e instanceof UnknownNameException u) {
            boolean field = u.code() == ProblemCode.UNKNOWN_FIELD;
            problem = problem.with(u.code(), field ? u.name() : null, field ? null : u.name(), u.accepted());
        }
        Response.ResponseBuilder b = Response.status(e.status()).type(Problem.MEDIA).entity(problem);
        e.headers().forEach(b::header);
        return b.build();
    }

    /** A body field the bound type does not have (bodies are bound strictly, see {@link StrictJson}). */
    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return api(UnknownNameException.field("", e));
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        String detail = e instanceof AuthenticationFailedException && e.getMessage() != null
                ? e.getMessage()
                : "this endpoint needs an API token: send 'Authorization: Bearer <token>'";
        return Response.status(401).type(Problem.MEDIA).header("WWW-Authenticate", CHALLENGE)
                .entity(Problem.of(401, detail)).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(403, "this API token's role does not allow this operation").toResponse();
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        String detail = e.getOriginalMessage();
        return Problem.of(400, "request body is not valid JSON for this operation: " + detail).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500 && DatabaseFailures.isUnavailable(e)) return databaseUnavailable(e);
        if (status >= 500) {
            LOG.error("request failed", e);
            return Problem.of(status, "the server could not complete the request").toResponse();
        }
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA)
                .entity(Problem.of(status, describe(status, e)));
        e.getResponse().getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) values.forEach(v -> b.header(name, v));
        });
        return b.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (DatabaseFailures.isUnavailable(e)) return databaseUnavailable(e);
        if (ClientDisconnects.isDisconnect(e)) {
            // Nobody reads this answer: the client is gone. Routine for devices and flaky uplinks, not an error.
            LOG.debugf("the client closed the connection before the request completed: %s", e);
            return Problem.of(400, "the client closed the connection before the request completed").toResponse();
        }
        LOG.error("unexpected failure while handling a request", e);
        return Problem.of(500, "the server could not complete the request; the cause is in its log").toResponse();
    }

    /**
     * The database cannot be reached (see {@link DatabaseFailures}): the request was fine and may
     * be sent again as it is, so 503 with {@code Retry-After}, never a 500.
     */
    Response databaseUnavailable(Throwable cause) {
        long now = System.nanoTime();
        long last = lastOutageWarning.get();
        if (now - last >= OUTAGE_WARNING_EVERY && lastOutageWarning.compareAndSet(last, now)) {
            LOG.warnf("the database cannot be reached; answering 503 until it can (%s)", rootMessage(cause));
        }
        LOG.debug("request failed: the database cannot be reached", cause);
        return api(new ApiException(503, ProblemCode.DATABASE_UNAVAILABLE,
                "the server cannot reach its database right now; retry in a few seconds",
                Map.of("Retry-After", Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS))));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String describe(int status, WebApplicationException e) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed on this resource";
            case 406 -> "no acceptable representation for the Accept header";
            case 415 -> "unsupported Content-Type for this operation; see the API documentation";
            default -> e.getMessage() == null ? "the request could not be handled" : e.getMessage();
        };
    }
}
