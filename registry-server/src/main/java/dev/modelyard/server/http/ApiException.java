package dev.modelyard.server.http;

import java.util.Map;

/**
 * A failure the client can act on. Thrown anywhere in request handling; rendered as
 * problem+json with its status. Extra headers (e.g. Content-Range on 416) travel with it.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final Map<String, String> headers;

    public ApiException(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    public int status() {
        return status;
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
