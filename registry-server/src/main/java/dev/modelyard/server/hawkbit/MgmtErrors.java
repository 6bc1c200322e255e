package dev.modelyard.server.hawkbit;

import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import java.util.EnumMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * hawkBit's error body on {@code /rest/v1}: statuses are decided where every error is
 * ({@code http.ProblemMappers}); this filter only reshapes the problem into hawkBit's
 * {@code exceptionClass}/{@code errorCode}/{@code message}, so hawkBit scripts that read those
 * keep working, and answers a 401 with a Basic challenge. hawkBit's code is chosen from the
 * problem's {@link ErrorCode} (and, for a few, the parameter or field it is about), never from
 * its wording.
 */
public class MgmtErrors {

    static final String NOT_FOUND = "hawkbit.server.error.repo.entityNotFound";

    private static final String REPO = "org.eclipse.hawkbit.repository.exception.";

    /** hawkBit's exception class and error code (null where hawkBit sends none). */
    record Kind(String exceptionClass, String errorCode) {
    }

    private static final Kind CONSTRAINT_VIOLATION = new Kind("jakarta.validation.ConstraintViolationException",
            "hawkbit.server.error.repo.constraintViolation");
    private static final Kind NOT_READABLE = new Kind("org.eclipse.hawkbit.rest.exception.MessageNotReadableException",
            "hawkbit.server.error.rest.body.notReadable");
    private static final Kind RSQL_SYNTAX = new Kind(REPO + "RSQLParameterSyntaxException",
            "hawkbit.server.error.rest.param.rsqlParamSyntax");
    private static final Kind SORT_SYNTAX = new Kind(
            "org.eclipse.hawkbit.mgmt.rest.resource.exception.SortParameterSyntaxErrorException",
            "hawkbit.server.error.rest.param.sortParamSyntax");
    private static final Kind ALREADY_EXISTS = new Kind(REPO + "EntityAlreadyExistsException",
            "hawkbit.server.error.repo.entityAlreadyExists");
    private static final Kind UPLOAD_FAILED = new Kind("org.eclipse.hawkbit.artifact.exception.ArtifactUploadFailedException",
            "hawkbit.server.error.artifact.uploadFailed");
    private static final Kind GENERIC = new Kind("org.eclipse.hawkbit.exception.GenericSpServerException",
            "hawkbit.server.error.repo.genericError");

    /** The one table: Modelyard's problem codes to hawkBit's closest real error codes. */
    private static final Map<ErrorCode, Kind> BY_CODE = new EnumMap<>(ErrorCode.class);

    static {
        BY_CODE.put(ErrorCode.MISSING_BODY, NOT_READABLE);
        BY_CODE.put(ErrorCode.INVALID_JSON, NOT_READABLE);
        BY_CODE.put(ErrorCode.INVALID_FIELD_TYPE, NOT_READABLE);
        BY_CODE.put(ErrorCode.UNAUTHORIZED, new Kind("org.springframework.security.authentication.BadCredentialsException", null));
        Kind insufficientPermission = new Kind(REPO + "InsufficientPermissionException",
                "hawkbit.server.error.insufficientPermission");
        BY_CODE.put(ErrorCode.FORBIDDEN, insufficientPermission);
        // A scoped token on /rest/v1: hawkBit has no scopes, and this is its refusal of a permission.
        BY_CODE.put(ErrorCode.OUT_OF_SCOPE, insufficientPermission);
        // A Modelyard-Tenant header naming another tenant: the token may not act there.
        BY_CODE.put(ErrorCode.TENANT_MISMATCH, insufficientPermission);
        BY_CODE.put(ErrorCode.METHOD_NOT_ALLOWED, new Kind("org.springframework.web.HttpRequestMethodNotSupportedException", null));
        BY_CODE.put(ErrorCode.ACTION_NOT_CANCELABLE, new Kind(REPO + "CancelActionNotAllowedException",
                "hawkbit.server.error.action.notCancelable"));
        BY_CODE.put(ErrorCode.ALREADY_EXISTS, ALREADY_EXISTS);
        BY_CODE.put(ErrorCode.CONFLICT, ALREADY_EXISTS);
        BY_CODE.put(ErrorCode.CONCURRENT_REQUEST, new Kind(REPO + "ConcurrentModificationException",
                "hawkbit.server.error.repo.concurrentModification"));
        // A revoked or deprecated version is hawkBit's invalidated set; one without files an incomplete set.
        BY_CODE.put(ErrorCode.VERSION_NOT_DEPLOYABLE, new Kind(REPO + "InvalidDistributionSetException",
                "hawkbit.server.error.distributionset.invalid"));
        BY_CODE.put(ErrorCode.VERSION_NOT_PUBLISHABLE, new Kind(REPO + "IncompleteDistributionSetException",
                "hawkbit.server.error.distributionset.incomplete"));
        // The target cannot take this set: hawkBit's nearest case is a target type incompatible with the set.
        BY_CODE.put(ErrorCode.RELEASE_COUNTER_ROLLBACK, new Kind(REPO + "IncompatibleTargetTypeException",
                "hawkbit.server.error.target.type.incompatible"));
        BY_CODE.put(ErrorCode.LOCKED, new Kind(REPO + "LockedException", "hawkbit.server.error.locked"));
        BY_CODE.put(ErrorCode.VERSION_IMMUTABLE, new Kind(REPO + "LockedException", "hawkbit.server.error.locked"));
        BY_CODE.put(ErrorCode.BODY_TOO_LARGE, UPLOAD_FAILED);
        BY_CODE.put(ErrorCode.TOO_LARGE, UPLOAD_FAILED);
        BY_CODE.put(ErrorCode.STORAGE_FULL, UPLOAD_FAILED);
    }

    @ServerResponseFilter
    public void reshape(ContainerRequestContext request, ContainerResponseContext response) {
        // The entity test first: this filter sees every response, the DDI poll's included.
        if (!(response.getEntity() instanceof Problem p)) return;
        if (!isManagementPath(request.getUriInfo().getPath())) return;
        response.setEntity(info(p), null, MediaType.APPLICATION_JSON_TYPE);
        if (p.status() == 401) response.getHeaders().putSingle("WWW-Authenticate", "Basic realm=\"modelyard\"");
    }

    static boolean isManagementPath(String path) {
        return path.equals(MgmtApi.BASE) || path.startsWith(MgmtApi.BASE + "/");
    }

    /** hawkBit's error body for a problem. */
    static MgmtApi.ExceptionInfo info(Problem p) {
        Kind kind = kind(p);
        return new MgmtApi.ExceptionInfo(kind.exceptionClass(), kind.errorCode(), p.detail() == null ? "" : p.detail(), null);
    }

    private static Kind kind(Problem p) {
        if ("q".equals(p.parameter())) return RSQL_SYNTAX;
        if ("sort".equals(p.parameter())) return SORT_SYNTAX;
        if (p.field() != null && p.code() == ErrorCode.INVALID_FIELD) {
            switch (p.field()) {
                case "md5sum" -> { return checksum("MD5", "md5"); }
                case "sha1sum" -> { return checksum("SHA1", "sha1"); }
                case "sha256sum" -> { return checksum("SHA256", "sha256"); }
                default -> { }
            }
        }
        Kind kind = p.code() == null ? null : BY_CODE.get(p.code());
        if (kind != null) return kind;
        return switch (p.status()) {
            case 404 -> new Kind(REPO + "EntityNotFoundException", NOT_FOUND);
            case 409 -> ALREADY_EXISTS;
            default -> p.status() >= 500 ? GENERIC : CONSTRAINT_VIOLATION;
        };
    }

    private static Kind checksum(String cls, String alg) {
        return new Kind(REPO + "Invalid" + cls + "HashException", "hawkbit.server.error.artifact.uploadFailed.checksum." + alg + ".match");
    }
}
