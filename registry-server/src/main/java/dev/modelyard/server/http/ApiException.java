package dev.modelyard.server.http;

import java.util.Map;

/**
 * A failure the client can act on. Thrown anywhere in request handling; rendered as
 * problem+json with its status. Extra headers (e.g. Content-Range on 416) travel with it.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final ProblemCode code;
    private final Map<String, String> headers;

    public ApiException(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, String detail, Map<String, String> headers) {
        this(status, null, detail, headers);
    }

    /** @param code the stable kind of problem, or null where none is defined yet */
    public ApiException(int status, ProblemCode code, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    /** The stable, machine-readable kind of problem; null where none is defined yet. */
    public ProblemCode code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, detail);
    }

    public static ApiException unprocessable(String detail) {
        return new ApiException(422, detail);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(413, detail);
    }
}
