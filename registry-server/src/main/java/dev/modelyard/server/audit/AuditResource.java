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
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Reading the audit trail of the caller's tenant, and checking its hash chain. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.AUDIT)
public class AuditResource {

    /** Entries read per query while an export streams. */
    static final int EXPORT_BATCH = 1000;

    private final AuditTrail trail;
    private final TenantContext tenants;

    public AuditResource(AuditTrail trail, TenantContext tenants) {
        this.trail = trail;
        this.tenants = tenants;
    }

    @GET
    @PermissionsAllowed(Permission.AUDIT_READ)
    @Operation(summary = "List audit entries, oldest first (or newest first with order=newest)",
            description = "Filters: actor (token id or name), action (e.g. 'POST /api/v1/models'), targetType, targetId, "
                    + "outcome (HTTP status), requestId, from (inclusive) and to (exclusive) as ISO-8601 instants. "
                    + "order: oldest (the default, chain order) or newest.")
    public Page<AuditApi.EntryView> list(@QueryParam("actor") String actor, @QueryParam("action") String action,
                                         @QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
                                         @QueryParam("outcome") Integer outcome, @QueryParam("requestId") String requestId,
                                         @QueryParam("from") String from,
                                         @QueryParam("to") String to, @QueryParam("page") Integer page,
                                         @QueryParam("size") Integer size, @QueryParam("order") String order) {
        AuditTrail.Filter filter = filter(actor, action, targetType, targetId, outcome, requestId, from, to);
        boolean newestFirst = newestFirst(order);
        Page<dev.modelyard.wire.audit.AuditEntry> entries = trail.list(tenants.current(), filter, Page.request(page, size),
                newestFirst);
        return new Page<>(entries.items().stream().map(AuditApi.EntryView::of).toList(), entries.page(), entries.size(),
                entries.total());
    }

    @GET
    @Path("/export")
    @Produces(AuditCsv.MEDIA_TYPE)
    @PermissionsAllowed(Permission.AUDIT_READ)
    @Operation(summary = "Export audit entries as CSV, oldest first",
            description = "The entries the same filters as the list select, all of them (no paging), streamed as "
                    + "RFC 4180 CSV with a header row: seq, at, actorId, actorName, action, targetType, targetId, outcome, "
                    + "requestId, source, before, after, prevHash, hash. A text cell that starts with =, +, -, @, a tab "
                    + "or a carriage return is written with a leading ' so spreadsheets do not run it as a formula.")
    @APIResponse(responseCode = "200", description = "The CSV file (Content-Disposition: attachment)",
            content = @Content(mediaType = AuditCsv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public Response export(@QueryParam("actor") String actor, @QueryParam("action") String action,
                           @QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
                           @QueryParam("outcome") Integer outcome, @QueryParam("requestId") String requestId,
                           @QueryParam("from") String from, @QueryParam("to") String to) {
        AuditTrail.Filter filter = filter(actor, action, targetType, targetId, outcome, requestId, from, to);
        String tenant = tenants.current();
        StreamingOutput body = out -> AuditCsv.write(out, after -> trail.after(tenant, filter, after, EXPORT_BATCH));
        return Response.ok(body, AuditCsv.MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=\"audit-" + tenant + ".csv\"").build();
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

    private static AuditTrail.Filter filter(String actor, String action, String targetType, String targetId,
                                            Integer outcome, String requestId, String from, String to) {
        if (outcome != null && (outcome < 100 || outcome > 599)) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "outcome", "outcome: an HTTP status, 100 to 599");
        }
        return new AuditTrail.Filter(blankToNull(actor), blankToNull(action), blankToNull(targetType),
                blankToNull(targetId), outcome, blankToNull(requestId), instant("from", from), instant("to", to));
    }

    private static boolean newestFirst(String order) {
        if (order == null || order.isBlank() || order.equals("oldest")) return false;
        if (order.equals("newest")) return true;
        throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "order", "order: oldest (chain order) or newest");
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
