package dev.modelyard.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.InputError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem detail: the body of every error response. Members beyond the standard
 * five are extensions, present only where they apply.
 *
 * @param type      a URI naming the kind of problem (relative to the API documentation)
 * @param title     short summary of the kind of problem
 * @param status    the HTTP status code
 * @param detail    what went wrong with this request, in words a user can act on
 * @param code      the stable, machine-readable kind of problem; always present
 * @param field     the JSON path of the body field the problem is about (e.g. {@code selfTest.cases[0].inputs})
 * @param parameter the query parameter the problem is about
 * @param accepted  the names the operation accepts in place of the unknown {@code field} or {@code parameter}
 * @param offset    the 0-based character offset of the bad token inside the {@code field} or {@code parameter}
 *                  (e.g. a device filter)
 * @param errors    each problem of an input made of files (declarative manifests), with its file, line and column
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
                      @Schema(description = "The stable, machine-readable kind of problem; always present. Clients branch on it, never on the detail. "
                              + "The codes are listed in docs/api-errors.md") ErrorCode code,
                      @Schema(description = "The JSON path of the body field the problem is about") String field,
                      @Schema(description = "The query parameter the problem is about") String parameter,
                      @Schema(description = "The names the operation accepts in place of the unknown field or parameter")
                      List<String> accepted,
                      @Schema(description = "The 0-based character offset of the bad token inside the field or parameter (e.g. a device filter)")
                      Integer offset,
                      @Schema(description = "Each problem of an input made of files (declarative manifests): file, line, column, path and message")
                      List<InputError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);

    public static Problem of(int status, String detail) {
        Response.Status s = Response.Status.fromStatusCode(status);
        String title = s != null ? s.getReasonPhrase() : titleFor(status);
        return new Problem("about:blank", title, status, detail, null, ErrorCode.generic(status), null, null, null, null, null);
    }

    /** A problem of the kind {@code code}, with that code's status. */
    public static Problem of(ErrorCode code, String detail) {
        return of(code.status(), detail).with(code, null, null, null);
    }

    /** This problem with its stable code and, for an unknown name, the name and those accepted instead. */
    public Problem with(ErrorCode code, String field, String parameter, List<String> accepted) {
        return new Problem(type, title, status, detail, instance, code, field, parameter, accepted, offset, errors);
    }

    /** This problem pointing at the character {@code offset} of its field or parameter (null: none). */
    public Problem at(Integer offset) {
        return new Problem(type, title, status, detail, instance, code, field, parameter, accepted, offset, errors);
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 422 -> "Unprocessable Content";
            case 431 -> "Request Header Fields Too Large";
            case 429 -> "Too Many Requests";
            case 507 -> "Insufficient Storage";
            default -> "Error";
        };
    }

    /** This problem listing each of several inputs' problems (null: none). */
    public Problem listing(List<InputError> errors) {
        return new Problem(type, title, status, detail, instance, code, field, parameter, accepted, offset, errors);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA).entity(this).build();
    }
}
