package dev.modelyard.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.json.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * HTTP and JSON for the facades: one authorization, one mapper, one way problems become
 * {@link ApiProblemException}. I/O failures become {@link UncheckedIOException} so the facades read
 * like the domain; an interrupted call re-asserts the interrupt.
 */
final class Transport {

    static final String JSON = "application/json";
    /** Longest problem body read from a non-JSON error answer (e.g. a proxy's HTML page). */
    private static final int MAX_ERROR_TEXT = 2048;

    final ObjectMapper json = WireJson.mapper();
    private final HttpClient http;
    private final URI base;
    private final String token;
    private final String tenant;
    private final Duration timeout;

    Transport(HttpClient http, URI base, String token, String tenant, Duration timeout) {
        this.http = http;
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.token = token;
        this.tenant = tenant;
        this.timeout = timeout;
    }

    /** An API path made absolute; an answer's link that is already absolute is taken as it is. */
    URI uri(Object path) {
        String p = path.toString();
        return URI.create(p.startsWith("http://") || p.startsWith("https://") ? p : base + p);
    }

    Transport withTenant(String tenant) {
        return new Transport(http, base, token, tenant, timeout);
    }

    String tenant() {
        return tenant;
    }

    HttpRequest.Builder request(Object path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Accept", JSON);
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (tenant != null) b.header(ModelyardClient.TENANT_HEADER, tenant);
        return b;
    }

    /** Sends a JSON body (or none) and reads the answer as {@code type}; null for an answer without body. */
    <T> T call(String method, Object path, Object body, JavaType type) {
        HttpRequest.Builder b = request(path);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(write(body)));
        }
        return read(send(b.build(), HttpResponse.BodyHandlers.ofByteArray()), type);
    }

    <T> T call(String method, Object path, Object body, Class<T> type) {
        return call(method, path, body, json.constructType(type));
    }

    <T> T get(Object path, Class<T> type) {
        return call("GET", path, null, type);
    }

    <T> Page<T> page(Object path, Class<T> item) {
        return call("GET", path, null, json.getTypeFactory().constructParametricType(Page.class, item));
    }

    <T> List<T> list(Object path, Class<T> item) {
        return call("GET", path, null, json.getTypeFactory().constructCollectionType(List.class, item));
    }

    void delete(Object path) {
        call("DELETE", path, null, Void.class);
    }

    /** Sends a streamed body of known length: nothing is buffered, the server sees a fixed Content-Length. */
    <T> T stream(String method, Object path, String contentType, Supplier<InputStream> data, long length,
                 List<String> headers, Class<T> type) {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(data), length));
        for (int i = 0; i + 1 < headers.size(); i += 2) b.header(headers.get(i), headers.get(i + 1));
        return read(send(b.build(), HttpResponse.BodyHandlers.ofByteArray()), json.constructType(type));
    }

    /** Sends a request and returns the answer's headers, throwing for an error status. */
    HttpHeaders headers(HttpRequest request) {
        HttpResponse<byte[]> r = send(request, HttpResponse.BodyHandlers.ofByteArray());
        failOnError(r.statusCode(), r.body());
        return r.headers();
    }

    /** Opens a streamed answer; the caller closes the stream. Errors are read and thrown. */
    HttpResponse<InputStream> open(HttpRequest request) {
        HttpResponse<InputStream> r = send(request, HttpResponse.BodyHandlers.ofInputStream());
        for (int hops = 0; isRedirect(r.statusCode()) && hops < 5; hops++) {
            // The server may answer a download with a presigned URL of the object store: that URL
            // authorizes itself, so the API token is not sent along, only the range.
            java.net.URI location = r.uri().resolve(r.headers().firstValue("Location").orElseThrow(() ->
                    new UncheckedIOException(new IOException("a redirect without a Location from " + request.uri()))));
            try {
                r.body().close();
            } catch (IOException ignored) {
                // nothing was read from it
            }
            HttpRequest.Builder next = HttpRequest.newBuilder(location).GET();
            request.timeout().ifPresent(next::timeout);
            request.headers().firstValue("Range").ifPresent(v -> next.header("Range", v));
            r = send(next.build(), HttpResponse.BodyHandlers.ofInputStream());
        }
        if (r.statusCode() >= 400) {
            try (InputStream in = r.body()) {
                failOnError(r.statusCode(), in.readNBytes(64 * 1024));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return r;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri().getRawPath() + ": " + describe(e, request), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException(request.method() + " " + request.uri() + " interrupted"));
        }
    }

    /** What went wrong in words: a refused connection and a timeout carry no useful message of their own. */
    private static String describe(IOException e, HttpRequest request) {
        if (e instanceof java.net.ConnectException) return "cannot connect to " + request.uri().getAuthority();
        if (e instanceof java.net.http.HttpTimeoutException) return "no answer within " + request.timeout().map(Duration::toString).orElse("the timeout");
        return e.getMessage() != null ? e.getMessage() : "the connection failed";
    }

    byte[] write(Object body) {
        if (body instanceof String text) return text.getBytes(StandardCharsets.UTF_8);
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T decode(HttpResponse<byte[]> r, Class<T> type) {
        return read(r, json.constructType(type));
    }

    /** A JSON answer as text, byte for byte (e.g. a signed document whose bytes a signature covers). */
    String text(Object path) {
        HttpResponse<byte[]> r = send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        failOnError(r.statusCode(), r.body());
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private <T> T read(HttpResponse<byte[]> r, JavaType type) {
        failOnError(r.statusCode(), r.body());
        if (r.body().length == 0 || type.getRawClass() == Void.class) return null;
        try {
            return json.readValue(r.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable answer to " + r.request().method() + " "
                    + r.request().uri().getRawPath() + ": " + e.getMessage(), e);
        }
    }

    private void failOnError(int status, byte[] body) {
        if (status < 400) return;
        throw new ApiProblemException(problem(status, body));
    }

    /** The problem+json document; a body that is not one (a proxy's page) still yields the status and its text. */
    private ApiProblemException.Problem problem(int status, byte[] body) {
        try {
            JsonNode node = body.length == 0 ? null : json.readTree(body);
            if (node != null && node.isObject()) {
                ApiProblemException.Problem p = json.treeToValue(node, ApiProblemException.Problem.class);
                return p.status() == status ? p : new ApiProblemException.Problem(p.type(), p.title(), status, p.detail(),
                        p.instance(), p.code(), p.field(), p.parameter(), p.accepted(), p.errors());
            }
        } catch (IOException notJson) {
            // fall through: the text itself is the best detail there is
        }
        String text = new String(body, 0, Math.min(body.length, MAX_ERROR_TEXT), StandardCharsets.UTF_8).strip();
        return new ApiProblemException.Problem(null, null, status, text.isEmpty() ? null : text, null, null, null, null, null);
    }
}
