package dev.modelyard.server.hawkbit;

import dev.modelyard.server.http.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * hawkBit's error body on {@code /rest/v1}: statuses are decided where every error is
 * ({@code http.ProblemMappers}); this filter only reshapes the problem into hawkBit's
 * {@code exceptionClass}/{@code errorCode}/{@code message}, so hawkBit scripts that read those
 * keep working, and answers a 401 with a Basic challenge.
 */
public class MgmtErrors {

    static final String NOT_FOUND = "hawkbit.server.error.repo.entityNotFound";

    @ServerResponseFilter
    public void reshape(ContainerRequestContext request, ContainerResponseContext response) {
        // The entity test first: this filter sees every response, the DDI poll's included.
        if (!(response.getEntity() instanceof Problem p)) return;
        String path = request.getUriInfo().getPath();
        if (!(path.equals(MgmtService.BASE) || path.startsWith(MgmtService.BASE + "/"))) return;
        response.setEntity(info(p.status(), p.detail()), null, MediaType.APPLICATION_JSON_TYPE);
        if (p.status() == 401) response.getHeaders().putSingle("WWW-Authenticate", "Basic realm=\"modelyard\"");
    }

    /** hawkBit's exception class and error code for a status (and, for a few 400s, what the message is about). */
    static MgmtApi.ExceptionInfo info(int status, String message) {
        String m = message == null ? "" : message;
        return switch (status) {
            case 400 -> badRequest(m);
            case 401 -> new MgmtApi.ExceptionInfo("org.springframework.security.authentication.BadCredentialsException",
                    null, m, null);
            case 403 -> info("org.eclipse.hawkbit.repository.exception.InsufficientPermissionException",
                    "hawkbit.server.error.insufficientPermission", m);
            case 404 -> info("org.eclipse.hawkbit.repository.exception.EntityNotFoundException", NOT_FOUND, m);
            case 405 -> m.startsWith("action ")
                    ? info("org.eclipse.hawkbit.repository.exception.CancelActionNotAllowedException",
                    "hawkbit.server.error.action.notCancelable", m)
                    : info("org.springframework.web.HttpRequestMethodNotSupportedException", null, m);
            case 423 -> info("org.eclipse.hawkbit.repository.exception.LockedException", "hawkbit.server.error.locked", m);
            case 409 -> info("org.eclipse.hawkbit.repository.exception.EntityAlreadyExistsException",
                    "hawkbit.server.error.repo.entityAlreadyExists", m);
            case 413, 507 -> info("org.eclipse.hawkbit.artifact.exception.ArtifactUploadFailedException",
                    "hawkbit.server.error.artifact.uploadFailed", m);
            default -> status >= 500
                    ? info("org.eclipse.hawkbit.exception.GenericSpServerException", "hawkbit.server.error.repo.genericError", m)
                    : info("jakarta.validation.ConstraintViolationException", "hawkbit.server.error.repo.constraintViolation", m);
        };
    }

    private static MgmtApi.ExceptionInfo badRequest(String m) {
        if (m.startsWith("md5sum:")) return checksum("MD5", "md5", m);
        if (m.startsWith("sha1sum:")) return checksum("SHA1", "sha1", m);
        if (m.startsWith("sha256sum:")) return checksum("SHA256", "sha256", m);
        if (m.startsWith("q:")) {
            return info("org.eclipse.hawkbit.repository.exception.RSQLParameterSyntaxException",
                    "hawkbit.server.error.rest.param.rsqlParamSyntax", m);
        }
        if (m.startsWith("sort:")) {
            return info("org.eclipse.hawkbit.mgmt.rest.resource.exception.SortParameterSyntaxErrorException",
                    "hawkbit.server.error.rest.param.sortParamSyntax", m);
        }
        if (m.startsWith("request body")) {
            return info("org.eclipse.hawkbit.rest.exception.MessageNotReadableException", "hawkbit.server.error.rest.body.notReadable", m);
        }
        return info("jakarta.validation.ConstraintViolationException", "hawkbit.server.error.repo.constraintViolation", m);
    }

    private static MgmtApi.ExceptionInfo checksum(String cls, String alg, String m) {
        return info("org.eclipse.hawkbit.repository.exception.Invalid" + cls + "HashException",
                "hawkbit.server.error.artifact.uploadFailed.checksum." + alg + ".match", m);
    }

    private static MgmtApi.ExceptionInfo info(String cls, String code, String message) {
        return new MgmtApi.ExceptionInfo(cls, code, message, null);
    }
}
