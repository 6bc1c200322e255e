package dev.modelyard.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.modelyard.server.database.DatabaseFailures;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.UnknownNameException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into an RFC 9457 problem response with a {@link ErrorCode}; no stack
 * trace ever leaves the server. The JSON mappers take precedence over the REST layer's built-in
 * ones (whose answer to a type mismatch has an empty body).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final String CHALLENGE = "Bearer realm=\"modelyard\"";
    /** Before the REST layer's built-in mappers for the same exception types. */
    private static final int FIRST = jakarta.ws.rs.Priorities.USER - 1000;
    /** An outage fails every request: one warning of each kind per this many nanoseconds is enough for the log. */
    private static final long OUTAGE_WARNING_EVERY = 10_000_000_000L;
    private static final AtomicLong lastOutageWarning = new AtomicLong(System.nanoTime() - OUTAGE_WARNING_EVERY);
    private static final AtomicLong lastTimeoutWarning = new AtomicLong(System.nanoTime() - OUTAGE_WARNING_EVERY);

    /** Requests that found no free database connection in time: an outage, a burst, or a connection leak. */
    private final Counter acquisitionTimeouts;

    public ProblemMappers(MeterRegistry registry) {
        this.acquisitionTimeouts = Counter.builder("modelyard.database.acquisition.timeouts")
                .description("Requests answered 503 because the connection pool had no connection for them in time")
                .register(registry);
    }

    /**
     * Every domain exception, from a service or from the HTTP layer: the status is its code's, the
     * headers (an {@link ApiException}'s only) are added as they are.
     */
    @ServerExceptionMapper
    public Response api(DomainException e) {
        int status = e.code().status();
        Problem problem = Problem.of(status, e.getMessage()).with(e.code(), e.field(), e.parameter(), e.accepted())
                .at(e.tokenOffset()).listing(e.errors());
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA).entity(problem);
        if (e instanceof ApiException api) api.headers().forEach(b::header);
        return b.build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        String detail = e instanceof AuthenticationFailedException && e.getMessage() != null
                ? e.getMessage()
                : "this endpoint needs an API token: send 'Authorization: Bearer <token>'";
        ErrorCode code = e instanceof AuthenticationFailedException a
                && a.getAttribute(ErrorCode.AUTHENTICATION_ATTRIBUTE) instanceof ErrorCode c ? c : ErrorCode.UNAUTHORIZED;
        return Response.status(401).type(Problem.MEDIA).header("WWW-Authenticate", CHALLENGE)
                .entity(Problem.of(code, detail)).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(ErrorCode.FORBIDDEN, "this API token's role does not allow this operation").toResponse();
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response unknownField(UnrecognizedPropertyException e) {
        return api(UnknownNameException.field("", e));
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response mismatchedJson(MismatchedInputException e) {
        return api(JsonProblems.of(e));
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response badJson(JsonProcessingException e) {
        return api(JsonProblems.of(e));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, ResourceInfo resource) {
        int status = e.getResponse().getStatus();
        if (status >= 500 && DatabaseFailures.isUnavailable(e)) return databaseUnavailable(e);
        if (e.getCause() instanceof JsonProcessingException json && status == 400) return api(JsonProblems.of(json));
        if ((status == 400 || status == 404) && e.getCause() != null) {
            // The REST layer could not convert a path or query value to its parameter's type; it
            // answers 404 for both (as JAX-RS says), which for a query reads as "no such thing"
            // where it is a bad parameter. Name the parameter either way.
            ApiException bad = ParameterTypes.firstUnconvertible(uri, resource);
            if (bad != null) return api(bad);
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return Problem.of(ErrorCode.generic(status), "the server could not complete the request").toResponse();
        }
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA)
                .entity(Problem.of(status, describe(status, e)).with(ErrorCode.generic(status), null, null, null));
        e.getResponse().getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) values.forEach(v -> b.header(name, v));
        });
        return b.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (DatabaseFailures.isUnavailable(e)) return databaseUnavailable(e);
        if (ClientDisconnects.clientGone(request)) {
            // Nobody reads this answer: the client is gone. Routine for devices and flaky uplinks, not an error.
            LOG.debugf("the client closed the connection before the request completed: %s", e);
            return Problem.of(400, "the client closed the connection before the request completed").toResponse();
        }
        LOG.error("unexpected failure while handling a request", e);
        return Problem.of(ErrorCode.INTERNAL_ERROR, "the server could not complete the request; the cause is in its log")
                .toResponse();
    }

    /**
     * The database cannot be reached (see {@link DatabaseFailures}): the request was fine, so 503
     * with {@code Retry-After}, never a 500. A failure while committing may come after the
     * database took the write, so the detail does not promise that a write did nothing.
     */
    Response databaseUnavailable(Throwable cause) {
        if (DatabaseFailures.isAcquisitionTimeout(cause)) {
            // Unlike a refused connection, this is also what a connection leak or too small a pool
            // looks like: never only at DEBUG.
            acquisitionTimeouts.increment();
            if (timeToWarn(lastTimeoutWarning)) {
                LOG.warnf("no database connection was free in time (the database is slow to accept connections, "
                        + "or every connection is in use: load or a leak); answering 503 (%s)", rootMessage(cause));
            }
            return unavailableResponse();
        }
        if (timeToWarn(lastOutageWarning)) {
            LOG.warnf("the database cannot be reached; answering 503 until it can (%s)", rootMessage(cause));
        }
        LOG.debug("request failed: the database cannot be reached", cause);
        return unavailableResponse();
    }

    private Response unavailableResponse() {
        return api(ApiException.of(ErrorCode.DATABASE_UNAVAILABLE,
                "the server cannot reach its database right now; retry in a few seconds. If this request was a write, "
                        + "it may or may not have taken effect: check before repeating it unless it is idempotent",
                Map.of("Retry-After", Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS))));
    }

    private static boolean timeToWarn(AtomicLong lastWarning) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        return now - last >= OUTAGE_WARNING_EVERY && lastWarning.compareAndSet(last, now);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String describe(int status, WebApplicationException e) {
        return switch (status) {
            case 404 -> "no such resource; the API documentation lists the paths";
            case 405 -> "this method is not allowed on this resource; the Allow header lists those that are";
            case 406 -> "no acceptable representation for the Accept header; accept application/json "
                    + "(or the operation's documented media type)";
            case 415 -> "unsupported Content-Type for this operation; the API documentation lists the media types it reads";
            default -> e.getMessage() == null ? "the request could not be handled" : e.getMessage();
        };
    }

    /** What a JSON binding failure says to the client: where in the body, and what was expected there. */
    static final class JsonProblems {

        private JsonProblems() {
        }

        static DomainException of(JsonProcessingException e) {
            if (e instanceof StrictJson.InvalidCharacterException c) {
                return ApiException.field(ErrorCode.INVALID_CHARACTER, c.field(), c.getOriginalMessage());
            }
            if (e instanceof UnrecognizedPropertyException u) return UnknownNameException.field("", u);
            if (e instanceof MismatchedInputException m) return mismatched(m);
            if (e instanceof JsonMappingException m && m.getCause() instanceof DomainException domain) return domain;
            if (e instanceof JsonMappingException m && m.getCause() instanceof IllegalArgumentException invalid
                    && invalid.getMessage() != null) {
                // a value type's own validation (a record refusing its arguments): its words, not Jackson's
                String field = path(m.getPath());
                return ApiException.field(ErrorCode.INVALID_FIELD, field.isEmpty() ? null : field,
                        (field.isEmpty() ? "request body" : "field '" + field + "'") + ": " + invalid.getMessage());
            }
            if (e instanceof StreamConstraintsException) {
                return ApiException.of(ErrorCode.INVALID_JSON, "request body is refused" + at(e.getLocation()) + ": "
                        + e.getOriginalMessage() + " (at most " + StrictJson.MAX_DEPTH + " levels of nesting and "
                        + StrictJson.MAX_STRING + " characters per string)");
            }
            if (e instanceof JsonMappingException m) {
                String field = path(m.getPath());
                return ApiException.field(ErrorCode.INVALID_FIELD, field.isEmpty() ? null : field,
                        (field.isEmpty() ? "request body" : "field '" + field + "'") + ": " + firstLine(m.getOriginalMessage()));
            }
            return ApiException.of(ErrorCode.INVALID_JSON, "request body is not well-formed JSON" + at(e.getLocation())
                    + ": " + firstLine(e.getOriginalMessage()));
        }

        private static ApiException mismatched(MismatchedInputException e) {
            String field = path(e.getPath());
            if (field.isEmpty() && e.getMessage() != null && e.getMessage().startsWith("No content to map")) {
                return ApiException.of(ErrorCode.MISSING_BODY, "this operation needs a JSON request body; the request had none");
            }
            Class<?> target = e.getTargetType();
            String where = field.isEmpty() ? "request body" : "field '" + field + "'";
            if (e instanceof InvalidFormatException && target != null && target.isEnum()) {
                List<String> accepted = Arrays.stream(target.getEnumConstants()).map(String::valueOf).toList();
                return ApiException.field(ErrorCode.INVALID_FIELD, field, where + ": '" + ((InvalidFormatException) e).getValue()
                        + "' is not one of " + String.join(", ", accepted), accepted);
            }
            if (e instanceof InvalidFormatException f) {
                return ApiException.field(ErrorCode.INVALID_FIELD, field, where + ": '" + f.getValue() + "' is not "
                        + expected(target));
            }
            return ApiException.field(ErrorCode.INVALID_FIELD_TYPE, field.isEmpty() ? null : field,
                    where + ": expected " + expected(target) + found(e));
        }

        private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("token `JsonToken\\.([A-Z_]+)`");

        private static String found(MismatchedInputException e) {
            java.util.regex.Matcher m = TOKEN.matcher(String.valueOf(e.getOriginalMessage()));
            if (m.find()) {
                return switch (m.group(1)) {
                    case "START_ARRAY" -> ", got an array";
                    case "START_OBJECT" -> ", got an object";
                    case "VALUE_STRING" -> ", got a string";
                    case "VALUE_NUMBER_INT", "VALUE_NUMBER_FLOAT" -> ", got a number";
                    case "VALUE_TRUE", "VALUE_FALSE" -> ", got a boolean";
                    case "VALUE_NULL" -> ", got null";
                    default -> "";
                };
            }
            try {
                if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p && p.currentToken() != null) {
                    return switch (p.currentToken()) {
                        case START_ARRAY, END_ARRAY -> ", got an array";
                        case START_OBJECT, END_OBJECT, FIELD_NAME -> ", got an object";
                        case VALUE_STRING -> ", got a string";
                        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> ", got a number";
                        case VALUE_TRUE, VALUE_FALSE -> ", got a boolean";
                        case VALUE_NULL -> ", got null";
                        default -> "";
                    };
                }
            } catch (RuntimeException ignored) {
                // the parser is already closed: say what was expected only
            }
            return "";
        }

        /** The JSON type a Java type is written as, in words. */
        static String expected(Class<?> t) {
            if (t == null) return "another JSON type";
            if (CharSequence.class.isAssignableFrom(t) || t == char.class || t == Character.class) return "a string";
            if (t == int.class || t == long.class || t == short.class || t == byte.class || t == Integer.class
                    || t == Long.class || t == Short.class || t == Byte.class || t == java.math.BigInteger.class) {
                return "a whole number";
            }
            if (t.isPrimitive() && t != boolean.class || Number.class.isAssignableFrom(t)) return "a number";
            if (t == boolean.class || t == Boolean.class) return "true or false";
            if (t.isEnum()) return "one of " + String.join(", ", Arrays.stream(t.getEnumConstants()).map(String::valueOf).toList());
            if (t.isArray() || java.util.Collection.class.isAssignableFrom(t)
                    || com.fasterxml.jackson.databind.node.ArrayNode.class.isAssignableFrom(t)) {
                return "an array";
            }
            if (java.time.temporal.Temporal.class.isAssignableFrom(t)) return "an RFC 3339 date-time string";
            return "an object";
        }

        /** {@code selfTest.cases[0].inputs}, as the other problem bodies name fields. */
        static String path(List<JsonMappingException.Reference> refs) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : refs) {
                if (r.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            return path.toString();
        }

        private static String at(JsonLocation l) {
            return l == null || l.getLineNr() < 0 ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
        }

        private static String firstLine(String s) {
            if (s == null) return "unreadable";
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }
}
