package dev.modelyard.server.ddi;

import dev.modelyard.server.artifact.ArtifactDownloads;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceTokens;
import dev.modelyard.server.device.LastSeen;
import dev.modelyard.server.device.TokenHash;
import dev.modelyard.server.http.RouteMetrics;
import dev.modelyard.server.limits.Limits;
import dev.modelyard.server.tenant.TenantDirectory;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The DDI base poll of a known device whose answer is cached, answered on the HTTP layer's I/O
 * thread before the security and REST layers: the cost of a poll comes close to that of a static
 * file. It answers only what it can decide from memory with the same rules as {@link DdiResource#poll}:
 * a {@code TargetToken} found in the token index for the path's tenant and controller id, an
 * enabled tenant, a cached answer rendered for the same base URL, an Accept the answer's JSON
 * satisfies. Everything else (a refusal, a gateway token, CBOR, a query string, a percent-encoded
 * path, a cache miss, the change feed down) goes on to {@link DdiResource}, which answers it and
 * fills the caches. The answer is the REST path's to the byte: the same body, ETag and headers,
 * 304 on a matching If-None-Match, with last-seen, the device's rate limit and the poll metrics
 * recorded alike.
 *
 * <p>Concurrency: runs on I/O threads, reads only thread-safe caches and never blocks. Whether
 * an answer is current is decided by {@link DdiService#cachedAnswer} under the change-feed rules
 * documented there; the token index drops a rotated token when the change commits.
 */
@ApplicationScoped
class DdiFastPoll {

    /**
     * After the request-shape checks, the date header and the connection watch (orders down to
     * -10,000), before Quarkus' security handlers (lazy authentication, the REST layer's
     * auth-failure route, authorization: above this order and below {@code RequestGate}'s). Those do per-request work a poll
     * answered here never uses: with the HTTP metrics on, the auth-failure route matches every
     * request against all REST resources to name its metrics (it built a new request mapper per
     * request, about a sixth of a cached poll's CPU), and the lazy identity sets up context
     * propagation. Nothing here needs an identity: the token is checked against the token index.
     */
    static final int EARLY_ORDER = -1_000;
    /**
     * Where the poll is answered when DDI requests are limited per address: after that limit
     * ({@code RequestGate}, order -3), so that no poll passes it.
     */
    static final int ORDER_AFTER_ADDRESS_LIMIT = -1;
    private static final String CONTROLLER = "/controller/v1/";
    private static final String TARGET_TOKEN = "TargetToken";
    private static final String POLL_TEMPLATE = "/{tenant}/controller/v1/{controllerId}";
    private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized(DdiResource.NO_CACHE);
    private static final CharSequence HAL_JSON = HttpHeaders.createOptimized(DdiMedia.HAL_JSON);
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

    private final boolean enabled;
    private final TenantDirectory tenants;
    private final DeviceTokens tokens;
    private final DdiService ddi;
    private final LastSeen lastSeen;
    private final PollMetrics metrics;
    private final Limits limits;
    private final Clock clock;
    private final LongAdder answered = new LongAdder();

    DdiFastPoll(ModelyardConfig config, TenantDirectory tenants, DeviceTokens tokens, DdiService ddi, LastSeen lastSeen,
                PollMetrics metrics, Limits limits, Clock clock) {
        this.enabled = config.ddi().fastPoll();
        this.tenants = tenants;
        this.tokens = tokens;
        this.ddi = ddi;
        this.lastSeen = lastSeen;
        this.metrics = metrics;
        this.limits = limits;
        this.clock = clock;
    }

    void install(@Observes Router router) {
        if (enabled) router.route().order(order()).handler(this::handle);
    }

    int order() {
        return limits.ddiAddressLimited() ? ORDER_AFTER_ADDRESS_LIMIT : EARLY_ORDER;
    }

    /** Polls answered here since start (tests tell by it which path answered). */
    long answered() {
        return answered.sum();
    }

    private void handle(RoutingContext context) {
        if (!answer(context)) context.next();
    }

    /** True when answered here; false: the request goes on, untouched. */
    private boolean answer(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (request.method() != HttpMethod.GET || request.query() != null) return false;
        String path = request.path();
        int controller = path == null ? -1 : path.indexOf(CONTROLLER);
        if (controller < 2 || path.charAt(0) != '/') return false;
        int idStart = controller + CONTROLLER.length();
        if (idStart == path.length() || !plainSegment(path, 1, controller) || !plainSegment(path, idStart, path.length())) {
            return false;
        }
        MultiMap headers = request.headers();
        String token = targetToken(headers.get(HttpHeaders.AUTHORIZATION));
        CharSequence type = answerType(headers.get(HttpHeaders.ACCEPT));
        if (token == null || type == null || headers.get(HttpHeaders.HOST) == null) return false;

        long start = System.nanoTime();
        String tenant = path.substring(1, controller).toLowerCase(Locale.ROOT);
        Optional<Optional<TenantDirectory.Entry>> cachedTenant = tenants.cached(tenant);
        if (cachedTenant.isEmpty() || cachedTenant.get().isEmpty() || !cachedTenant.get().get().enabled()) return false;
        TokenHash hash = TokenHash.of(token);
        DeviceTokens.DeviceKey device = tokens.cachedKey(tenant, hash);
        if (device == null || !path.regionMatches(idStart, device.controllerId(), 0, path.length() - idStart)
                || device.controllerId().length() != path.length() - idStart) {
            return false;
        }
        // The REST path's base URL is the request's scheme and authority (forwarded ones where
        // trusted) and the path as sent: for this path without a query, the absolute URI.
        DdiService.Rendered r = ddi.cachedAnswer(device.id(), hash, request::absoluteURI);
        if (r == null) return false;

        HttpServerResponse response = context.response();
        // The HTTP metrics name the route as the REST layer does, not one series per device.
        RouteMetrics.nameRoute(POLL_TEMPLATE);
        long retryAfter = limits.deviceRetryAfter(device.id());
        if (retryAfter > 0) {
            response.setStatusCode(429).putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
                    .putHeader("Retry-After", Long.toString(retryAfter)).end();
            answered.increment();
            return true;
        }
        lastSeen.record(device.id(), clock.millis());
        String ifNoneMatch = headers.get(HttpHeaders.IF_NONE_MATCH);
        boolean unchanged = ifNoneMatch != null && ArtifactDownloads.matches(ifNoneMatch, r.etag());
        if (unchanged) {
            response.setStatusCode(304).putHeader(HttpHeaders.ETAG, r.etag()).end();
        } else {
            response.putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
                    .putHeader(HttpHeaders.ETAG, r.etag()).end(Buffer.buffer(r.body()));
        }
        metrics.answered(true, start, unchanged);
        answered.increment();
        return true;
    }

    /** A path segment the REST layer reads as it is: not empty, no slash, no percent-encoding, not a dot segment. */
    private static boolean plainSegment(String path, int from, int to) {
        if (to <= from) return false;
        for (int i = from; i < to; i++) {
            char c = path.charAt(i);
            if (c == '/' || c == '%' || c == ';') return false;
        }
        return !(path.charAt(from) == '.' && (to - from == 1 || (to - from == 2 && path.charAt(from + 1) == '.')));
    }

    /** The token of {@code TargetToken <token>}, read as {@code DdiAuthMechanism} does; null for anything else. */
    private static String targetToken(String header) {
        if (header == null) return null;
        String h = header.strip();
        if (h.indexOf(' ') != TARGET_TOKEN.length() || !h.regionMatches(true, 0, TARGET_TOKEN, 0, TARGET_TOKEN.length())) {
            return null;
        }
        String token = h.substring(TARGET_TOKEN.length() + 1).strip();
        return token.isEmpty() || token.length() > 512 ? null : token;
    }

    /**
     * The content type for the common Accept headers, as {@link DdiMedia#negotiate} decides
     * them; null for any other (CBOR, lists, parameters), which the REST path negotiates.
     */
    private static CharSequence answerType(String accept) {
        if (accept == null || accept.isBlank()) return HAL_JSON;
        String a = accept.strip();
        if (a.equalsIgnoreCase(DdiMedia.HAL_JSON) || a.equals("*/*") || a.equals("application/*")) return HAL_JSON;
        if (a.equalsIgnoreCase("application/json")) return JSON;
        return null;
    }
}
