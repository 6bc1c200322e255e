package dev.modelyard.server.audit;

import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.auth.Permission;
import io.quarkus.security.PermissionsAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Reading the audit trail of the caller's tenant, and checking its hash chain. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.AUDIT)
public class AuditResource {

    private final AuditTrail trail;
    private final TenantContext tenants;

    public AuditResource(AuditTrail trail, TenantContext tenants) {
        this.trail = trail;
        this.tenants = tenants;
    }

    @GET
    @PermissionsAllowed(Permission.AUDIT_READ)
    @Operation(summary = "List audit entries, oldest first",
            description = "Filters: actor (token id or name), action (e.g. 'POST /api/v1/models'), targetType, targetId, "
                    + "outcome (HTTP status), requestId, from (inclusive) and to (exclusive) as ISO-8601 instants.")
    public Page<AuditApi.EntryView> list(@QueryParam("actor") String actor, @QueryParam("action") String action,
                                         @QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
                                         @QueryParam("outcome") Integer outcome, @QueryParam("requestId") String requestId,
                                         @QueryParam("from") String from,
                                         @QueryParam("to") String to, @QueryParam("page") Integer page,
                                         @QueryParam("size") Integer size) {
        if (outcome != null && (outcome < 100 || outcome > 599)) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "outcome", "outcome: an HTTP status, 100 to 599");
        }
        AuditTrail.Filter filter = new AuditTrail.Filter(blankToNull(actor), blankToNull(action), blankToNull(targetType),
                blankToNull(targetId), outcome, blankToNull(requestId), instant("from", from), instant("to", to));
        Page<dev.modelyard.wire.audit.AuditEntry> entries = trail.list(tenants.current(), filter, Page.request(page, size));
        return new Page<>(entries.items().stream().map(AuditApi.EntryView::of).toList(), entries.page(), entries.size(),
                entries.total());
    }

    @GET
    @Path("/verify")
    @PermissionsAllowed(Permission.AUDIT_READ)
    @Operation(summary = "Check the audit trail's hash chain",
            description = "Recomputes every entry's hash from the first one and reports the first entry that was "
                    + "changed, inserted or removed after it was written.")
    public AuditApi.VerifyView verify() {
        String tenant = tenants.current();
        return AuditApi.VerifyView.of(tenant, trail.verify(tenant));
    }

    private static Instant instant(String name, String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, name,
                    name + ": an ISO-8601 instant such as 2026-12-01T10:00:00Z");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
