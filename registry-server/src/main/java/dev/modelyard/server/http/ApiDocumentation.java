package dev.modelyard.server.http;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The OpenAPI description of the API (served at /q/openapi, committed as docs/openapi). Resource
 * methods annotate their own statuses; {@link ApiResponsesFilter} adds what operations share
 * (security, 400/401/403/404/415 and the problem+json body of every error).
 */
@OpenAPIDefinition(
        info = @Info(title = "Modelyard API", version = "1",
                description = """
                        Model registry and over-the-air deployment of ML models to edge devices.

                        The management API lives under `/api/v1` and needs `Authorization: Bearer <token>` \
                        (roles: viewer reads, publisher writes models, versions, artifacts, devices and deployments, \
                        admin does everything). Errors are RFC 9457 `application/problem+json` documents whose \
                        `detail` says what to fix. Every operation is rate limited (429 with `Retry-After`). Any operation may also answer 406 for an unacceptable `Accept` \
                        header and 500 when the server fails; these are not listed per operation.

                        Devices speak the Eclipse hawkBit DDI API under `/{tenant}/controller/v1/{controllerId}` \
                        with `Authorization: TargetToken <device token>` or `GatewayToken <tenant token>`; its \
                        errors are hawkBit's (empty bodies, or hawkBit's `errorCode`/`message` JSON).""",
                license = @License(name = "Apache-2.0", url = "https://www.apache.org/licenses/LICENSE-2.0")),
        tags = {
                @Tag(name = ApiDocumentation.MODELS, description = "Models: named lines of work with labels, and their aliases"),
                @Tag(name = ApiDocumentation.VERSIONS, description = "Semantic versions of a model: drafts, publication, status"),
                @Tag(name = ApiDocumentation.ARTIFACTS, description = "Per-target files of a version: upload, metadata, download, signed release metadata"),
                @Tag(name = ApiDocumentation.UPLOADS, description = "Resumable uploads of large artifacts"),
                @Tag(name = ApiDocumentation.DEVICES, description = "Provisioned devices, their attributes, tokens and installed versions"),
                @Tag(name = ApiDocumentation.DEPLOYMENTS, description = "Assigning a version to devices"),
                @Tag(name = ApiDocumentation.ACTIONS, description = "One version assigned to one device: status history, cancel"),
                @Tag(name = ApiDocumentation.CONVERSION, description = "Target profiles and conversion jobs"),
                @Tag(name = ApiDocumentation.TRUST, description = "Root metadata, release key status and publisher keys"),
                @Tag(name = ApiDocumentation.TOKENS, description = "API tokens (admin)"),
                @Tag(name = ApiDocumentation.DDI, description = "The hawkBit Direct Device Integration API devices poll")
        },
        components = @Components(schemas = {
                @Schema(name = ApiDocumentation.DDI_ERROR, type = SchemaType.OBJECT,
                        description = "hawkBit's error body on the DDI API",
                        properties = {
                                @SchemaProperty(name = "errorCode", type = SchemaType.STRING,
                                        examples = "hawkbit.server.error.rest.body.notReadable"),
                                @SchemaProperty(name = "message", type = SchemaType.STRING)
                        })
        }, responses = {
                @APIResponse(name = ApiDocumentation.BAD_REQUEST,
                        description = "A parameter or the body is invalid; the detail names it",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.UNAUTHORIZED,
                        description = "No valid API token (missing, unknown, expired or revoked); answered with "
                                + "'WWW-Authenticate: Bearer'",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.FORBIDDEN,
                        description = "The token's role does not allow this operation",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.NOT_FOUND,
                        description = "Something named in the path does not exist",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE,
                        description = "The request's Content-Type is not one this operation reads",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.DEVICE_UNAUTHORIZED,
                        description = "No valid TargetToken or GatewayToken for this controller id (empty body, as hawkBit)"),
                @APIResponse(name = ApiDocumentation.TOO_MANY_REQUESTS,
                        description = "Over a limit: too many requests with this token or from this address (code "
                                + "rate-limited), or, on uploads, too many uploads in progress (code too-many-uploads); "
                                + "Retry-After says how many seconds to wait",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying",
                                schema = @Schema(type = SchemaType.INTEGER)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.BODY_TOO_SLOW,
                        description = "The body arrived slower than the server's minimum rate and was ended (code "
                                + "upload-too-slow); send it again, a resumable upload from its offset",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.BODY_TOO_LARGE,
                        description = "The body is larger than the server takes for a request that is not an upload "
                                + "(code body-too-large)",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.DEVICE_TOO_MANY_REQUESTS,
                        description = "The device sent more requests than its limit (empty body); Retry-After says how "
                                + "many seconds to wait, and hawkBit clients back off on it",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying",
                                schema = @Schema(type = SchemaType.INTEGER)))
        }))
@SecurityScheme(securitySchemeName = ApiDocumentation.API_TOKEN, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token issued by an admin (POST /api/v1/tokens): Authorization: Bearer <token>")
@SecurityScheme(securitySchemeName = ApiDocumentation.DEVICE_TOKEN, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = "Authorization",
        description = "hawkBit DDI credentials: 'TargetToken <device token>' (shown once when the device is provisioned) "
                + "or 'GatewayToken <tenant gateway token>'")
public class ApiDocumentation extends Application {

    public static final String API_TOKEN = "apiToken";
    public static final String DEVICE_TOKEN = "deviceToken";

    public static final String MODELS = "models";
    public static final String VERSIONS = "versions";
    public static final String ARTIFACTS = "artifacts";
    public static final String UPLOADS = "uploads";
    public static final String DEVICES = "devices";
    public static final String DEPLOYMENTS = "deployments";
    public static final String ACTIONS = "actions";
    public static final String CONVERSION = "conversion";
    public static final String TRUST = "trust";
    public static final String TOKENS = "tokens";
    public static final String DDI = "ddi";

    /** The schema of hawkBit's error JSON on the DDI API. */
    public static final String DDI_ERROR = "DdiError";

    static final String BAD_REQUEST = "BadRequest";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    static final String NOT_FOUND = "NotFound";
    static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    static final String DEVICE_UNAUTHORIZED = "DeviceUnauthorized";
    static final String TOO_MANY_REQUESTS = "TooManyRequests";
    static final String BODY_TOO_SLOW = "BodyTooSlow";
    static final String BODY_TOO_LARGE = "BodyTooLarge";
    static final String DEVICE_TOO_MANY_REQUESTS = "DeviceTooManyRequests";
}
