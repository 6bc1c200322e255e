package dev.modelyard.server.http;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * A {@link DomainException} raised by the HTTP layer itself, which may carry response headers
 * (Content-Range on 416, Retry-After on 429 and 503, Upload-Offset on a resumable upload).
 * Services never throw it: headers are HTTP's business. Rendered by {@link ProblemMappers} like
 * every other domain exception, with its headers added.
 */
public class ApiException extends DomainException {

    private final Map<String, String> headers;

    /** A problem with the generic code of {@code status}; prefer {@link #of(ErrorCode, String)}. */
    public ApiException(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, String detail, Map<String, String> headers) {
        this(ErrorCode.generic(status), detail, headers, null, null, null);
    }

    protected ApiException(ErrorCode code, String detail, Map<String, String> headers,
                           String field, String parameter, List<String> accepted) {
        super(code, detail, field, parameter, accepted);
        this.headers = headers;
    }

    /** A problem of the kind {@code code}, answered with that code's status. */
    public static ApiException of(ErrorCode code, String detail) {
        return new ApiException(code, detail, Map.of(), null, null, null);
    }

    public static ApiException of(ErrorCode code, String detail, Map<String, String> headers) {
        return new ApiException(code, detail, headers, null, null, null);
    }

    /** A problem about the body field at JSON path {@code field}. */
    public static ApiException field(ErrorCode code, String field, String detail) {
        return new ApiException(code, detail, Map.of(), field, null, null);
    }

    /** A problem about a body field whose value must be one of {@code accepted}. */
    public static ApiException field(ErrorCode code, String field, String detail, List<String> accepted) {
        return new ApiException(code, detail, Map.of(), field, null, accepted);
    }

    /** A problem about the path segment, query parameter or header named {@code parameter}. */
    public static ApiException parameter(ErrorCode code, String parameter, String detail) {
        return new ApiException(code, detail, Map.of(), null, parameter, null);
    }

    /** A problem about a parameter whose value must be one of {@code accepted}. */
    public static ApiException parameter(ErrorCode code, String parameter, String detail, List<String> accepted) {
        return new ApiException(code, detail, Map.of(), null, parameter, accepted);
    }

    /** The HTTP status: always the code's. */
    public int status() {
        return code().status();
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String detail) {
        return of(ErrorCode.BAD_REQUEST, detail);
    }

    public static ApiException notFound(String detail) {
        return of(ErrorCode.NOT_FOUND, detail);
    }

    public static ApiException conflict(String detail) {
        return of(ErrorCode.CONFLICT, detail);
    }

    public static ApiException unprocessable(String detail) {
        return of(ErrorCode.UNPROCESSABLE, detail);
    }

    public static ApiException tooLarge(String detail) {
        return of(ErrorCode.BODY_TOO_LARGE, detail);
    }
}
