package dev.modelyard.server.limits;

import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Problem;
import dev.modelyard.server.http.RoutingProblems;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The first route of every API and DDI request, before the REST layer takes a worker thread:
 * per-address rate limits, the upload caps (an upload holds a slot from here until its exchange
 * ends or its connection goes), and the size of non-upload bodies by Content-Length. The pace of
 * bodies the REST layer reads is {@link BodyGuard}'s.
 *
 * <p>Concurrency: {@link #handle} and an upload's timer and end handler run on the connection's
 * I/O thread, so they read their request without locks; the shared state is the thread-safe
 * {@link RateLimiter}s and {@link UploadSlots}. Nothing here blocks. A request that is no upload
 * costs a few string comparisons and, when the address limit is on, one bucket.
 */
@ApplicationScoped
class RequestGate {

    private static final Logger LOG = Logger.getLogger(RequestGate.class);
    /** Before Quarkus' own body-size check and the REST layer. */
    static final int ORDER = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1;
    private static final String API = "/api/v1/";
    private static final String DDI = "/controller/v1/";
    private static final Pattern ARTIFACT_PUT = Pattern.compile("/api/v1/models/[^/]+/versions/[^/]+/artifacts/[^/]+/?");
    private static final Pattern ARTIFACT_POST = Pattern.compile("/api/v1/models/[^/]+/versions/[^/]+/artifacts/?");
    private static final Pattern UPLOAD_PATCH = Pattern.compile("/api/v1/models/[^/]+/versions/[^/]+/uploads/[^/]+/?");

    private final Vertx vertx;
    private final Limits limits;
    private final UploadSlots slots = new UploadSlots();

    RequestGate(Vertx vertx, Limits limits) {
        this.vertx = vertx;
        this.limits = limits;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    void logLimits(@Observes StartupEvent start) {
        LOG.infof("limits: %s", limits);
    }

    /** Uploads holding a slot now. */
    int uploadsInProgress() {
        return slots.inProgress();
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = request.path();
        boolean api = path.startsWith(API);
        if (!api && !path.contains(DDI)) {
            context.next();
            return;
        }
        if (!withinAddressRate(context, api)) return;
        HttpMethod method = request.method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.DELETE) {
            context.next();
            return;
        }
        if (api && isUpload(method, path)) {
            admitUpload(context, address(request));
            return;
        }
        long length = contentLength(request);
        if (length > limits.maxNonUploadBody()) {
            refuseLargeBody(context);
            return;
        }
        context.next();
    }

    private boolean withinAddressRate(RoutingContext context, boolean api) {
        Rate rate = api ? limits.apiPerAddress() : limits.ddiPerAddress();
        if (rate.off()) return true;
        long wait = (api ? limits.apiAddresses() : limits.ddiAddresses())
                .acquire(address(context.request()), rate, System.nanoTime());
        if (wait == 0) return true;
        limits.refusedByAddress(api);
        String retryAfter = Limits.retryAfterSeconds(wait);
        if (api) {
            RoutingProblems.send(context, Problem.of(429, "too many requests from this address (limit " + rate
                    + "); retry after " + retryAfter + " s").with(ErrorCode.RATE_LIMITED, null, null, null),
                    Map.of("Retry-After", retryAfter));
        } else {
            // hawkBit clients read the status and Retry-After, not a body.
            context.response().setStatusCode(429).putHeader("Retry-After", retryAfter).end();
        }
        return false;
    }

    private void admitUpload(RoutingContext context, String address) {
        UploadCaps caps = limits.uploadCaps();
        String token = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        UploadSlots.Admission admission = slots.tryAcquire(token == null ? "" : token, address, caps);
        if (admission instanceof UploadSlots.Refusal refusal) {
            limits.refusedUpload();
            String retryAfter = Long.toString(Math.max(1, caps.retryAfter().toSeconds()));
            RoutingProblems.send(context, Problem.of(429, refusal.detail())
                    .with(ErrorCode.TOO_MANY_UPLOADS, null, null, null), Map.of("Retry-After", retryAfter));
            return;
        }
        watch(context, (UploadSlots.Slot) admission, context.request().method() == HttpMethod.POST);
        context.next();
    }

    /**
     * Gives the upload's slot back when its exchange ends or its connection goes (an answer sent
     * before the body's end, e.g. 413, lets Vert.x read and drop the rest, as clients that send
     * the whole body before reading expect). Once a window, a timer checks the slot is still needed, so a
     * lost end signal cannot leak it, and ends a multipart body arriving too slowly: Vert.x reads
     * those on this thread before the REST layer runs, where {@link BodyGuard} cannot see them.
     * It closes the connection without an answer, since the REST layer may answer at any moment.
     */
    private void watch(RoutingContext context, UploadSlots.Slot slot, boolean multipart) {
        HttpServerRequest request = context.request();
        BodyPace pace = limits.bodyPace();
        long[] seen = {request.bytesRead()};
        long timer = vertx.setPeriodic(pace.window().toMillis(), id -> {
            if (context.response().ended() || context.response().closed()) {
                vertx.cancelTimer(id);
                slot.release();
                return;
            }
            long read = request.bytesRead();
            if (multipart && !request.isEnded() && !pace.off() && read - seen[0] < pace.minBytesPerWindow()) {
                vertx.cancelTimer(id);
                LOG.debugf("closing %s %s from %s: %d body bytes, slower than %d bytes/s over %s", request.method(),
                        request.path(), address(request), read, pace.minBytesPerSecond(), pace.window());
                limits.slowBodyEnded();
                slot.release();
                close(request);
                return;
            }
            seen[0] = read;
        });
        context.addEndHandler(ended -> {
            vertx.cancelTimer(timer);
            slot.release();
        });
    }

    private static void close(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
        }
    }

    private void refuseLargeBody(RoutingContext context) {
        context.response().putHeader(HttpHeaders.CONNECTION, "close");
        RoutingProblems.send(context, Problem.of(413, "the request body is larger than " + limits.maxNonUploadBody()
                + " bytes, the limit for requests that are not uploads").with(ErrorCode.BODY_TOO_LARGE, null, null, null),
                Map.of());
    }

    static boolean isUpload(HttpMethod method, String path) {
        if (method == HttpMethod.PUT) return ARTIFACT_PUT.matcher(path).matches();
        if (method == HttpMethod.POST) return ARTIFACT_POST.matcher(path).matches();
        if (method == HttpMethod.PATCH) return UPLOAD_PATCH.matcher(path).matches();
        return false;
    }

    /** The declared body length; -1 for a chunked body of unknown length, 0 for none. */
    private static long contentLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                return 0; // the HTTP layer refuses it
            }
        }
        String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null ? -1 : 0;
    }

    private static String address(HttpServerRequest request) {
        return request.remoteAddress() == null ? "" : request.remoteAddress().host();
    }
}
