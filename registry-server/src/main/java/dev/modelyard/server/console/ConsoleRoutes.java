package dev.modelyard.server.console;

import dev.modelyard.server.http.RouteMetrics;
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
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

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
 *       version in the path and stays immutable. The tags are computed once, at start-up, from the packaged
 *       console's listing: a request never reads a file on the event loop, and paths that name no file (any
 *       number of them) add nothing.</li>
 *   <li>the HTTP metrics count every console file under one {@code uri} tag, {@value #METRICS_URI}: per file,
 *       the console's ~50 files would use up Micrometer's limit on uri values, and the routes used later
 *       (the DDI poll among them) would get no metrics at all.</li>
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

    /** The uri tag of every console request in the HTTP metrics. */
    static final String METRICS_URI = "/console/*";

    private static final Logger LOG = Logger.getLogger(ConsoleRoutes.class);

    /** Console file (relative to the console, e.g. {@code lib/api.js}) → the strong ETag of its bytes; fixed at start-up. */
    private volatile Map<String, String> etags = Map.of();

    void register(@Observes Router router) {
        // At start-up, on the thread that builds the router (not the event loop): every console file, hashed once.
        etags = Map.copyOf(scan(Thread.currentThread().getContextClassLoader()));
        if (etags.isEmpty()) LOG.warn("no console files found under " + RESOURCES + ": the web console is not packaged");
        router.route().order(ORDER).handler(this::handle);
    }

    /** How many console files have a tag (what the server packages; requests never change it). */
    int tagged() {
        return etags.size();
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
        // Set here rather than by a match-patterns rule in the configuration: such a rule is a
        // regular expression run against the path of every request, the DDI polls included.
        RouteMetrics.nameRoute(METRICS_URI);
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

    /** The ETag of a console file ("" is the index page): a look-up in the map built at start-up. */
    Optional<String> etag(String relative) {
        String file = relative.isEmpty() || relative.endsWith("/") ? relative + "index.html" : relative;
        return Optional.ofNullable(etags.get(file));
    }

    /**
     * Every file under {@value #RESOURCES} on the class path (the web-ui jar in a packaged server, its classes
     * folder in tests), by its path relative to the console; the first of a name wins, as a resource look-up's.
     */
    static Map<String, String> scan(ClassLoader loader) {
        Map<String, String> found = new HashMap<>();
        String dir = RESOURCES.substring(0, RESOURCES.length() - 1);
        try {
            Enumeration<URL> roots = loader.getResources(dir);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if (root.getProtocol().equals("file")) {
                    Path base = Path.of(root.toURI());
                    try (Stream<Path> files = Files.walk(base)) {
                        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                            String name = base.relativize(f).toString().replace('\\', '/');
                            if (!found.containsKey(name)) {
                                try (InputStream in = Files.newInputStream(f)) {
                                    found.put(name, digest(in));
                                }
                            }
                        }
                    }
                } else {
                    URLConnection connection = root.openConnection();
                    if (!(connection instanceof JarURLConnection jarConnection)) {
                        LOG.warn("console files at " + root + " cannot be listed: they are served without ETags");
                        continue;
                    }
                    jarConnection.setUseCaches(false);
                    try (JarFile jar = jarConnection.getJarFile()) {
                        for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
                            if (entry.isDirectory() || !entry.getName().startsWith(RESOURCES)) continue;
                            String name = entry.getName().substring(RESOURCES.length());
                            if (!found.containsKey(name)) {
                                try (InputStream in = jar.getInputStream(entry)) {
                                    found.put(name, digest(in));
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static String digest(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(in.readAllBytes());
            return '"' + HexFormat.of().formatHex(sha.digest(), 0, 16) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
