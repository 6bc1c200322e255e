package dev.modelyard.server.http;

import dev.modelyard.server.error.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * A failure the client can act on. Thrown anywhere in request handling; rendered as
 * problem+json with its status and its {@link ErrorCode}. Extra headers (e.g. Content-Range
 * on 416) travel with it, and so does the body field or parameter the problem is about.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final ErrorCode code;
    private final Map<String, String> headers;
    private final String field;
    private final String parameter;
    private final List<String> accepted;

    /** A problem with the generic code of its status; prefer {@link #of(ErrorCode, String)}. */
    public ApiException(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, String detail, Map<String, String> headers) {
        this(status, ErrorCode.generic(status), detail, headers);
    }

    public ApiException(int status, ErrorCode code, String detail, Map<String, String> headers) {
        this(status, code, detail, headers, null, null, null);
    }

    protected ApiException(int status, ErrorCode code, String detail, Map<String, String> headers,
                           String field, String parameter, List<String> accepted) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code == null ? ErrorCode.generic(status) : code;
        this.headers = headers;
        this.field = field;
        this.parameter = parameter;
        this.accepted = accepted;
    }

    /** A problem of the kind {@code code}, answered with that code's status. */
    public static ApiException of(ErrorCode code, String detail) {
        return new ApiException(code.status(), code, detail, Map.of());
    }

    public static ApiException of(ErrorCode code, String detail, Map<String, String> headers) {
        return new ApiException(code.status(), code, detail, headers);
    }

    /** A problem about the body field at JSON path {@code field}. */
    public static ApiException field(ErrorCode code, String field, String detail) {
        return new ApiException(code.status(), code, detail, Map.of(), field, null, null);
    }

    /** A problem about a body field whose value must be one of {@code accepted}. */
    public static ApiException field(ErrorCode code, String field, String detail, List<String> accepted) {
        return new ApiException(code.status(), code, detail, Map.of(), field, null, accepted);
    }

    /** A problem about the path segment, query parameter or header named {@code parameter}. */
    public static ApiException parameter(ErrorCode code, String parameter, String detail) {
        return new ApiException(code.status(), code, detail, Map.of(), null, parameter, null);
    }

    /** A problem about a parameter whose value must be one of {@code accepted}. */
    public static ApiException parameter(ErrorCode code, String parameter, String detail, List<String> accepted) {
        return new ApiException(code.status(), code, detail, Map.of(), null, parameter, accepted);
    }

    public int status() {
        return status;
    }

    /** The stable, machine-readable kind of problem; never null. */
    public ErrorCode code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The JSON path of the body field the problem is about, or null. */
    public String field() {
        return field;
    }

    /** The path segment, query parameter or header the problem is about, or null. */
    public String parameter() {
        return parameter;
    }

    /** The values or names accepted instead, or null. */
    public List<String> accepted() {
        return accepted;
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
