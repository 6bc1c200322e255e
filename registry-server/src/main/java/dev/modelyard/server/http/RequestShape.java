package dev.modelyard.server.http;

import dev.modelyard.server.error.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Refuses malformed requests before anything else reads them, with a problem body on the
 * management API (the HTTP layer's own refusals have no body): a request target longer than
 * {@value #MAX_TARGET} characters (414 {@code uri-too-long}), headers larger than
 * {@value #MAX_HEADERS} bytes in all (431 {@code headers-too-large}), malformed percent-encoding or
 * non-UTF-8 in the path or query (400 {@code invalid-encoding}), and control characters in a
 * decoded path segment or in a header (400 {@code invalid-character}).
 * <p>
 * The HTTP codec's own limits ({@code quarkus.http.limits.max-initial-line-length} and
 * {@code max-header-size} in application.properties) are set well above these, so that this
 * filter, not the codec, answers requests between the two. Beyond the codec's limits the codec
 * still answers 414/431 with no body: such requests never become a request object.
 * Outside {@value QueryParameters#MANAGEMENT_API} (the DDI API, /q) the same limits apply with an
 * empty body, as the HTTP layer answered before.
 */
@Singleton
public class RequestShape {

    /** The longest request target (path and query) taken: as long as the HTTP layer's default line limit. */
    public static final int MAX_TARGET = 4096;
    /** The most header bytes (names and values) taken: the HTTP layer's default. */
    public static final int MAX_HEADERS = 20 * 1024;
    /**
     * Quarkus' HTTP entry refuses a request target {@link URI} cannot parse with a bodyless 400
     * before any route runs, unless this system property is true when its class loads. The server's
     * main class sets it (the test build too), because this filter makes the same check and
     * answers with a problem body.
     */
    public static final String URI_VALIDATION_OFF = "vertx.disableURIValidation";
    /** Before the security and REST handlers. */
    static final int ORDER = -1_000_000;

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
        // The router refuses some requests before any route runs (a path whose percent-encoding
        // it cannot decode): they reach only the router's handler for their status.
        router.errorHandler(400, this::refusedByRouter);
    }

    void refusedByRouter(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (response.ended()) return;
        if (!answersWithBody(rawPath(context.request()))) {
            if (!response.headWritten()) response.setStatusCode(400);
            response.end();
            return;
        }
        ApiException refused = refusal(context.request());
        if (refused == null) {
            refused = ApiException.of(ErrorCode.BAD_REQUEST, "the request is malformed"
                    + (context.failure() != null && context.failure().getMessage() != null ? ": " + context.failure().getMessage() : ""));
        }
        RoutingProblems.send(context, Problem.of(refused.status(), refused.getMessage())
                .with(refused.code(), refused.field(), refused.parameter(), null), Map.of());
    }

    /** The path as sent, before any decoding (which may be what failed). */
    static String rawPath(HttpServerRequest request) {
        String uri = request.uri();
        int q = uri == null ? -1 : uri.indexOf('?');
        return uri == null ? null : q < 0 ? uri : uri.substring(0, q);
    }

    void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        ApiException refused = refusal(request);
        if (refused == null) {
            context.next();
        } else if (answersWithBody(rawPath(request))) {
            RoutingProblems.send(context, Problem.of(refused.status(), refused.getMessage())
                    .with(refused.code(), refused.field(), refused.parameter(), null), Map.of());
        } else {
            context.response().setStatusCode(refused.status()).end();
        }
    }

    /** Why the request is refused, or null when its shape is fine. */
    static ApiException refusal(HttpServerRequest request) {
        String target = request.uri();
        if (target.length() > MAX_TARGET) {
            return ApiException.of(ErrorCode.URI_TOO_LONG, "the request target (path and query) is " + target.length()
                    + " characters long; at most " + MAX_TARGET + " are taken");
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headerBytes += h.getKey().length() + h.getValue().length() + 4;
            int bad = InputCharacters.firstInvalidInToken(h.getValue().replace('\t', ' '));
            if (bad >= 0) {
                return ApiException.parameter(ErrorCode.INVALID_CHARACTER, h.getKey(), "header '" + h.getKey()
                        + "' holds a control character (" + InputCharacters.describe(h.getValue(), bad) + "); remove it");
            }
        }
        if (headerBytes > MAX_HEADERS) {
            return ApiException.of(ErrorCode.HEADERS_TOO_LARGE, "the request's headers are " + headerBytes
                    + " bytes; at most " + MAX_HEADERS + " are taken");
        }
        if (plain(target)) return null;
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        for (String segment : path.split("/")) {
            String decoded = decode(segment, false);
            if (decoded == null) return encoding("path segment '" + printable(segment) + "'");
            int bad = InputCharacters.firstInvalidInToken(decoded);
            if (bad >= 0) {
                return ApiException.of(ErrorCode.INVALID_CHARACTER, "path segment '" + printable(segment)
                        + "' holds a control character (" + InputCharacters.describe(decoded, bad) + "); remove it");
            }
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            if (name == null || value == null) return encoding("query parameter '" + printable(pair) + "'");
            int bad = InputCharacters.firstInvalidInToken(name + "=" + value);
            if (bad >= 0) {
                return ApiException.parameter(ErrorCode.INVALID_CHARACTER, printable(name), "query parameter '"
                        + printable(name) + "' holds a control character (" + InputCharacters.describe(name + "=" + value, bad)
                        + " of '" + printable(pair) + "'); remove it");
            }
        }
        try {
            new URI(target);
        } catch (URISyntaxException e) {
            return ApiException.of(ErrorCode.INVALID_ENCODING, "the request target is not a valid URI (" + e.getReason()
                    + " at index " + e.getIndex() + "): percent-encode spaces, quotes, '<', '>', '{', '}', '|', '\\', '^', '`' "
                    + "and every '%' that does not start an escape");
        }
        return null;
    }

    /**
     * The common case, checked in one pass (device polls go through here): only characters a URI
     * may hold unencoded, and no escapes, so nothing to decode and nothing to refuse.
     */
    static boolean plain(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    private static ApiException encoding(String where) {
        return ApiException.of(ErrorCode.INVALID_ENCODING, where + " is not valid percent-encoded UTF-8: "
                + "write '%' as %25 and every other byte as % and two hex digits");
    }

    /**
     * Percent-decodes strictly as UTF-8 ({@code +} is a space in queries); null when a '%' is
     * not followed by two hex digits or the bytes are not UTF-8.
     */
    static String decode(String s, boolean query) {
        if (s.indexOf('%') < 0 && (!query || s.indexOf('+') < 0)) return s;
        ByteBuffer bytes = ByteBuffer.allocate(s.length() * 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) return null;
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return null;
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else if (query && c == '+') {
                bytes.put((byte) ' ');
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The raw text quoted in a detail: short, and without anything that does not print. */
    private static String printable(String raw) {
        String s = raw.length() > 64 ? raw.substring(0, 64) + "…" : raw;
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04x", c));
            else out.appendCodePoint(c);
        });
        return out.toString();
    }

    /** The management APIs answer refusals with a body: problem+json, or the shape a {@link ProblemShape} gives. */
    static boolean answersWithBody(String path) {
        return isManagementApi(path) || RoutingProblems.shapeFor(path) != null;
    }

    static boolean isManagementApi(String path) {
        return path != null && (path.equals(QueryParameters.MANAGEMENT_API) || path.startsWith(QueryParameters.MANAGEMENT_API + "/"));
    }
}
