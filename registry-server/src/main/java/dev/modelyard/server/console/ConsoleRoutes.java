package dev.modelyard.server.console;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How the web console (the {@code web-ui} module's files, served by Quarkus from
 * {@code META-INF/resources/console/}) is answered:
 * <ul>
 *   <li>{@code /} and {@code /console} redirect to {@code /console/};</li>
 *   <li>every {@code /console/*} answer, 404s included, carries a strict Content-Security-Policy ({@value #CSP}:
 *       no inline scripts or styles, nothing from other origins) and nosniff, no-referrer and frame-deny headers;</li>
 *   <li>console files revalidate ({@code Cache-Control: no-cache}) with an ETag that is the SHA-256 of the
 *       file's bytes, so an upgraded server never leaves a browser on stale pages and an unchanged file costs a
 *       304. The static handler would mark them immutable for a day. The library under {@code /_static/} has its
 *       version in the path and stays immutable.</li>
 * </ul>
 * Plain Vert.x routes: the REST layer's request filters (strict query parameters, permissions) never see these
 * requests; the request-shape checks before them pass every well-formed path.
 */
@Singleton
public class ConsoleRoutes {

    public static final String PREFIX = "/console/";
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    static final String REVALIDATE = "no-cache";
    private static final String RESOURCES = "META-INF/resources/console/";
    /** After the request-shape checks and the date header, before the static handler and the REST layer. */
    static final int ORDER = -900_000;

    /** Console path → the strong ETag of its file, or empty when there is no such file. */
    private final ConcurrentMap<String, Optional<String>> etags = new ConcurrentHashMap<>();

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = context.normalizedPath();
        if (path.equals("/") || path.equals("/console")) {
            if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
                context.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, PREFIX)
                        .putHeader(HttpHeaders.CACHE_CONTROL, REVALIDATE).end();
                return;
            }
            context.next();
            return;
        }
        if (!path.startsWith(PREFIX)) {
            context.next();
            return;
        }
        HttpServerResponse response = context.response();
        secure(response);
        Optional<String> etag = etag(path.substring(PREFIX.length()));
        if (etag.isEmpty() || (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD)) {
            context.next();
            return;
        }
        String tag = etag.get();
        response.putHeader(HttpHeaders.ETAG, tag);
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, tag)) {
                response.setStatusCode(304).putHeader(HttpHeaders.CACHE_CONTROL, REVALIDATE).end();
                return;
            }
            // RFC 9110 13.2.2: If-None-Match decides; a date must not turn a changed file into a 304.
            request.headers().remove(HttpHeaders.IF_MODIFIED_SINCE);
        }
        // The static handler sets its own Cache-Control when it writes the head: replace it there.
        response.headersEndHandler(v -> {
            if (response.getStatusCode() < 400) response.putHeader(HttpHeaders.CACHE_CONTROL, REVALIDATE);
        });
        context.next();
    }

    static void secure(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY");
    }

    static boolean matches(String ifNoneMatch, String tag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(tag) || c.equals("W/" + tag)) return true;
        }
        return false;
    }

    /** The ETag of a console file ("" is the index page), computed once per file. */
    Optional<String> etag(String relative) {
        String file = relative.isEmpty() || relative.endsWith("/") ? relative + "index.html" : relative;
        return etags.computeIfAbsent(file, ConsoleRoutes::digest);
    }

    private static Optional<String> digest(String file) {
        if (file.contains("..") || file.contains("\\")) return Optional.empty();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCES + file)) {
            if (in == null) return Optional.empty();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(in.readAllBytes());
            return Optional.of('"' + HexFormat.of().formatHex(sha.digest(), 0, 16) + '"');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
