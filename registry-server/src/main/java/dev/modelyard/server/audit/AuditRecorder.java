package dev.modelyard.server.audit;

import dev.modelyard.server.auth.TokenIdentityProvider;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiResponsesFilter;
import dev.modelyard.server.http.Problem;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Records every authenticated, state-changing call of the management APIs ({@code POST}, {@code PUT},
 * {@code PATCH}, {@code DELETE} under {@value #API} and {@value ApiDocumentation#HAWKBIT_MGMT_PATH})
 * in the audit trail: exactly one entry per call, whatever its outcome, refusals included. The one
 * place this happens; endpoints do nothing for it.
 * <p>
 * It runs as the last step before the response is written, so the entry is committed before the
 * client has its answer (it is a transaction of its own, after the call's: see docs/architecture.md
 * for the crash window). Not recorded: anonymous calls and calls whose credentials were refused
 * (401: there is no one to attribute them to), requests no operation matched (404/405 from
 * routing: they changed nothing and name no operation), and the device protocol
 * ({@code /{tenant}/controller/…}), whose traffic the devices' action history records. A call
 * answered 503 because the database is unreachable is not recorded either: the entry would go to
 * that database, and the call changed nothing.
 * <p>
 * Every recorded call's response carries its request id in {@value #REQUEST_ID}: the client's own
 * when it sent a sane one, else a new one.
 */
public class AuditRecorder {

    public static final String REQUEST_ID = "X-Request-Id";
    static final String API = "/api/v1";
    private static final Set<String> CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** A request id the trail keeps as sent: short, printable, no spaces or quotes. */
    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");
    private static final Logger LOG = Logger.getLogger(AuditRecorder.class);

    private final AuditTrail trail;
    private final EntityChanges changes;
    private final CurrentIdentityAssociation identities;
    private final TenantContext tenants;

    public AuditRecorder(AuditTrail trail, EntityChanges changes, CurrentIdentityAssociation identities, TenantContext tenants) {
        this.trail = trail;
        this.changes = changes;
        this.identities = identities;
        this.tenants = tenants;
    }

    /** A call that will be recorded collects the entity changes it makes (see {@link ChangeInterceptor}). */
    @ServerRequestFilter
    public void collect(ContainerRequestContext request) {
        if (CHANGING.contains(request.getMethod()) && isManagement(request.getUriInfo().getPath())) changes.collect();
    }

    // Response filters run in descending priority: this one sees the problem before hawkBit's
    // reshaping, and adds its header to every form of the response.
    @ServerResponseFilter(priority = jakarta.ws.rs.Priorities.USER + 2000)
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource,
                            HttpServerRequest http) {
        if (!CHANGING.contains(request.getMethod())) return null;
        String path = request.getUriInfo().getPath();
        if (!isManagement(path)) return null;
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) return null;
        String template = ApiResponsesFilter.template(pathOf(resource.getResourceClass()), pathOf(method));
        String requestId = requestId(request.getHeaderString(REQUEST_ID));
        response.getHeaders().putSingle(REQUEST_ID, requestId);
        // Everything that needs the request is read here, on the request's thread.
        Target target = target(template, request, response);
        EntityChanges.BeforeAfter state = changes.result();
        int outcome = response.getStatus();
        String action = request.getMethod() + " " + template;
        String source = source(http);
        if (databaseUnavailable(response)) {
            // The entry would go to the database the call could not reach; nothing of the call happened.
            LOG.debugf("audit entry not written (database unavailable): %s %s", action, requestId);
            return null;
        }
        return identities.getDeferredIdentity()
                .onFailure().recoverWithItem((SecurityIdentity) null)
                .onItem().transformToUni(identity -> {
                    if (identity == null || identity.isAnonymous()) return Uni.createFrom().voidItem();
                    Object tokenId = identity.getAttribute(TokenIdentityProvider.TOKEN_ID_ATTRIBUTE);
                    AuditTrail.Draft draft = new AuditTrail.Draft(tenantOf(identity),
                            tokenId instanceof UUID id ? id : null, identity.getPrincipal().getName(), action,
                            target.type(), target.id(), state.before(), state.after(), outcome, requestId, source);
                    Uni<Void> write = Uni.createFrom().item(() -> {
                        append(draft);
                        return null;
                    });
                    // The append waits for the database: never on an event-loop thread.
                    return io.vertx.core.Context.isOnEventLoopThread()
                            ? write.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : write;
                });
    }

    /**
     * A failed append must not turn the answer of a call that already happened into an error; it is
     * logged with everything the entry would have held, so that it can be reconstructed.
     */
    private void append(AuditTrail.Draft draft) {
        try {
            trail.append(draft);
        } catch (RuntimeException e) {
            LOG.errorf(e, "audit entry not written: %s", draft);
        }
    }

    private String tenantOf(SecurityIdentity identity) {
        if (Arc.container().requestContext().isActive()) return tenants.current();
        return identity.getAttribute(TenantContext.ATTRIBUTE) instanceof String t ? t : Tenants.DEFAULT;
    }

    private static boolean databaseUnavailable(ContainerResponseContext response) {
        return response.getStatus() == 503 && response.getEntity() instanceof Problem p
                && p.code() == ErrorCode.DATABASE_UNAVAILABLE;
    }

    static boolean isManagement(String path) {
        return path.startsWith(API + "/") || path.startsWith(ApiDocumentation.HAWKBIT_MGMT_PATH + "/");
    }

    static String requestId(String sent) {
        return sent != null && SANE_REQUEST_ID.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
    }

    /** What the call was about. */
    record Target(String type, String id) {
    }

    /**
     * The target from the operation's path: the last collection the path names an element of
     * ({@code /models/{model}/versions/{version}/publish} → {@code versions}, {@code resnet/1.0.0}).
     * A creation (201 with a Location) targets what it created, named by the Location's last segment.
     */
    static Target target(String template, ContainerRequestContext request, ContainerResponseContext response) {
        String[] segments = stripPrefix(template).split("/");
        String type = null;
        String lastLiteral = null;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < segments.length; i++) {
            Matcher m = PARAMETER.matcher(segments[i]);
            if (m.matches()) {
                String value = request.getUriInfo().getPathParameters().getFirst(m.group(1));
                ids.add(value == null ? "" : value);
                if (lastLiteral != null) type = lastLiteral;
            } else if (!segments[i].isEmpty()) {
                lastLiteral = segments[i];
            }
        }
        URI location = response.getStatus() == 201 ? response.getLocation() : null;
        if (location != null && location.getRawPath() != null) {
            String raw = location.getRawPath();
            String last = raw.substring(raw.lastIndexOf('/') + 1);
            ids.add(URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8));
            type = lastLiteral;
        }
        if (type == null) type = lastLiteral;
        return new Target(type, ids.isEmpty() ? null : String.join("/", ids));
    }

    private static String stripPrefix(String template) {
        if (template.startsWith(API + "/")) return template.substring(API.length());
        if (template.startsWith(ApiDocumentation.HAWKBIT_MGMT_PATH + "/")) return template.substring(ApiDocumentation.HAWKBIT_MGMT_PATH.length());
        return template;
    }

    /**
     * The address of the connection itself. Forwarding headers (X-Forwarded-For, Forwarded) are not
     * used even where the server trusts a proxy for scheme and host: behind a proxy, the source is
     * the proxy; its own log ties the request id to the client.
     */
    private static String source(HttpServerRequest http) {
        SocketAddress address = http.connection() != null ? http.connection().remoteAddress() : null;
        if (address == null) return null;
        return address.hostAddress() != null ? address.hostAddress() : address.toString();
    }

    private static String pathOf(Method method) {
        Path p = method.getAnnotation(Path.class);
        return p == null ? "" : p.value();
    }

    /** The resource's path; a generated subclass (interceptors) is looked through. */
    private static String pathOf(Class<?> resource) {
        for (Class<?> c = resource; c != null; c = c.getSuperclass()) {
            Path p = c.getAnnotation(Path.class);
            if (p != null) return p.value();
        }
        return "";
    }
}
