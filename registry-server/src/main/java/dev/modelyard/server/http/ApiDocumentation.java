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
 * (security, 400/401/403/404/415/503 and the problem+json body of every error).
 */
@OpenAPIDefinition(
        info = @Info(title = "Modelyard API", version = "1",
                description = """
                        Model registry and over-the-air deployment of ML models to edge devices.

                        The management API lives under `/api/v1` and needs `Authorization: Bearer <token>` \
                        (roles: viewer reads, publisher writes models, versions, artifacts, devices and deployments, \
                        admin does everything). Errors are RFC 9457 `application/problem+json` documents whose \
                        `detail` says what to fix and whose `code` is a stable, machine-readable kind of problem \
                        (the table of codes is docs/api-errors.md in the repository). Every operation is rate limited \
                        (429 with `Retry-After`). Any operation may also answer \
                        405 for a method it does not take, 406 for an unacceptable `Accept` header, 414 for a request \
                        target over 4096 characters, 431 for headers over 20 KiB and 500 when the server fails; these \
                        are not listed per operation.

                        Devices speak the Eclipse hawkBit DDI API under `/{tenant}/controller/v1/{controllerId}` \
                        with `Authorization: TargetToken <device token>` or `GatewayToken <tenant token>`; its \
                        errors are hawkBit's (empty bodies, or hawkBit's `errorCode`/`message` JSON).

                        A subset of hawkBit's Management API lives under `/rest/v1` (tag "hawkBit Management API \
                        (compatibility)"), so hawkBit scripts run unchanged: it takes the same API tokens, as \
                        `Authorization: Bearer <token>` or HTTP Basic with any user name and the token as password, \
                        and answers errors with hawkBit's `exceptionClass`/`errorCode`/`message` JSON.""",
                license = @License(name = "Apache-2.0", url = "https://www.apache.org/licenses/LICENSE-2.0")),
        tags = {
                @Tag(name = ApiDocumentation.MODELS, description = "Models: named lines of work with labels, and their aliases"),
                @Tag(name = ApiDocumentation.VERSIONS, description = "Semantic versions of a model: drafts, publication, status"),
                @Tag(name = ApiDocumentation.ARTIFACTS, description = "Per-target files of a version: upload, metadata, download, signed release metadata"),
                @Tag(name = ApiDocumentation.UPLOADS, description = "Resumable uploads of large artifacts"),
                @Tag(name = ApiDocumentation.DEVICES, description = "Provisioned devices, their attributes, tokens and installed versions"),
                @Tag(name = ApiDocumentation.DEVICE_GROUPS, description = "Device groups: device filters saved under a name, "
                        + "with their live count and members"),
                @Tag(name = ApiDocumentation.DEPLOYMENTS, description = "Assigning a version to devices"),
                @Tag(name = ApiDocumentation.ACTIONS, description = "One version assigned to one device: status history, cancel"),
                @Tag(name = ApiDocumentation.ROLLOUTS, description = "A version sent to the devices a filter matches, in health-gated phases, "
                        + "with a failure budget, a rate, a schedule, approval and rollback"),
                @Tag(name = ApiDocumentation.CONVERSION, description = "Target profiles and conversion jobs"),
                @Tag(name = ApiDocumentation.TRUST, description = "Root metadata, release key status and publisher keys"),
                @Tag(name = ApiDocumentation.TOKENS, description = "API tokens (admin)"),
                @Tag(name = ApiDocumentation.TENANTS, description = "Tenants (system administrator) and the caller's tenant settings"),
                @Tag(name = ApiDocumentation.AUDIT, description = "The audit trail: every state-changing management call, "
                        + "hash-chained per tenant; listing and checking the chain"),
                @Tag(name = ApiDocumentation.LIVE, description = "Server-sent events telling a client what changed, so it re-reads what it shows"),
                @Tag(name = ApiDocumentation.MANIFESTS, description = "Declarative state: manifests (Model, TargetProfile, "
                        + "DeviceGroup, Rollout) planned and applied, with prune"),
                @Tag(name = ApiDocumentation.GITOPS, description = "Git sources: repositories whose manifests the server keeps "
                        + "a tenant's objects converged to, with sync status, drift and a signed webhook"),
                @Tag(name = ApiDocumentation.OVERVIEW, description = "The fleet at a glance: devices by state, versions in use, active rollouts, recent failures"),
                @Tag(name = ApiDocumentation.DDI, description = "The hawkBit Direct Device Integration API devices poll"),
                @Tag(name = ApiDocumentation.HAWKBIT_MGMT, description = "A subset of hawkBit's Management API at hawkBit's "
                        + "paths: targets are devices, a software module and its distribution set are one model version, "
                        + "actions are actions (see docs/hawkbit.md for the fields covered)")
        },
        components = @Components(schemas = {
                @Schema(name = ApiDocumentation.DDI_ERROR, type = SchemaType.OBJECT,
                        description = "hawkBit's error body on the DDI API",
                        properties = {
                                @SchemaProperty(name = "errorCode", type = SchemaType.STRING,
                                        examples = "hawkbit.server.error.rest.body.notReadable"),
                                @SchemaProperty(name = "message", type = SchemaType.STRING)
                        }),
                @Schema(name = ApiDocumentation.MGMT_ERROR, type = SchemaType.OBJECT,
                        description = "hawkBit's error body on the Management API (/rest/v1)",
                        properties = {
                                @SchemaProperty(name = "exceptionClass", type = SchemaType.STRING,
                                        examples = "org.eclipse.hawkbit.repository.exception.EntityNotFoundException"),
                                @SchemaProperty(name = "errorCode", type = SchemaType.STRING,
                                        examples = "hawkbit.server.error.repo.entityNotFound"),
                                @SchemaProperty(name = "message", type = SchemaType.STRING)
                        })
        }, responses = {
                @APIResponse(name = ApiDocumentation.MGMT_BAD_REQUEST,
                        description = "A parameter or the body is invalid (hawkBit's error JSON; the message names it)",
                        content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiDocumentation.MGMT_ERROR))),
                @APIResponse(name = ApiDocumentation.MGMT_UNAUTHORIZED,
                        description = "No valid API token (as Bearer, or as the Basic password); answered with "
                                + "'WWW-Authenticate: Basic'",
                        content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiDocumentation.MGMT_ERROR))),
                @APIResponse(name = ApiDocumentation.MGMT_FORBIDDEN,
                        description = "The token's role does not allow this operation (hawkbit.server.error.insufficientPermission)",
                        content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiDocumentation.MGMT_ERROR))),
                @APIResponse(name = ApiDocumentation.MGMT_NOT_FOUND,
                        description = "Something named in the path does not exist (hawkbit.server.error.repo.entityNotFound)",
                        content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiDocumentation.MGMT_ERROR))),
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
                                schema = @Schema(type = SchemaType.INTEGER))),
                @APIResponse(name = ApiDocumentation.SERVICE_UNAVAILABLE,
                        description = "The server cannot reach its database right now (code database-unavailable); "
                                + "a read may be sent again after Retry-After seconds; a write may or may not have "
                                + "taken effect, so check before repeating one that is not idempotent",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait before trying again",
                                schema = @Schema(type = SchemaType.INTEGER)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocumentation.DEVICE_UNAVAILABLE,
                        description = "The server cannot reach its database right now: poll again after Retry-After "
                                + "seconds; the credentials were not judged (empty body)",
                        headers = @Header(name = "Retry-After", description = "Seconds to wait before trying again",
                                schema = @Schema(type = SchemaType.INTEGER)))
        }))
@SecurityScheme(securitySchemeName = ApiDocumentation.API_TOKEN, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token issued by an admin (POST /api/v1/tokens): Authorization: Bearer <token>")
@SecurityScheme(securitySchemeName = ApiDocumentation.API_TOKEN_BASIC, type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "On hawkBit's Management API (/rest/v1) only: HTTP Basic with any user name and an API token as password")
@SecurityScheme(securitySchemeName = ApiDocumentation.DEVICE_TOKEN, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = "Authorization",
        description = "hawkBit DDI credentials: 'TargetToken <device token>' (shown once when the device is provisioned) "
                + "or 'GatewayToken <tenant gateway token>'")
public class ApiDocumentation extends Application {

    public static final String API_TOKEN = "apiToken";
    public static final String DEVICE_TOKEN = "deviceToken";
    public static final String API_TOKEN_BASIC = "apiTokenBasic";

    public static final String MODELS = "models";
    public static final String VERSIONS = "versions";
    public static final String ARTIFACTS = "artifacts";
    public static final String UPLOADS = "uploads";
    public static final String DEVICES = "devices";
    public static final String DEVICE_GROUPS = "device groups";
    public static final String DEPLOYMENTS = "deployments";
    public static final String ACTIONS = "actions";
    public static final String ROLLOUTS = "rollouts";
    public static final String CONVERSION = "conversion";
    public static final String TRUST = "trust";
    public static final String TOKENS = "tokens";
    public static final String TENANTS = "tenants";
    public static final String AUDIT = "audit";
    public static final String LIVE = "live updates";
    public static final String OVERVIEW = "overview";
    public static final String MANIFESTS = "manifests";
    public static final String GITOPS = "gitops";
    public static final String DDI = "ddi";
    public static final String HAWKBIT_MGMT = "hawkBit Management API (compatibility)";
    /** Where hawkBit's Management API lives. */
    public static final String HAWKBIT_MGMT_PATH = "/rest/v1";

    /** The schema of hawkBit's error JSON on the DDI API. */
    public static final String DDI_ERROR = "DdiError";

    static final String BAD_REQUEST = "BadRequest";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    static final String NOT_FOUND = "NotFound";
    static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    static final String DEVICE_UNAUTHORIZED = "DeviceUnauthorized";

    /** The schema of hawkBit's error JSON on the Management API. */
    public static final String MGMT_ERROR = "MgmtExceptionInfo";
    static final String MGMT_BAD_REQUEST = "MgmtBadRequest";
    static final String MGMT_UNAUTHORIZED = "MgmtUnauthorized";
    static final String MGMT_FORBIDDEN = "MgmtForbidden";
    static final String MGMT_NOT_FOUND = "MgmtNotFound";
    static final String SERVICE_UNAVAILABLE = "ServiceUnavailable";
    static final String DEVICE_UNAVAILABLE = "DeviceServiceUnavailable";
    static final String TOO_MANY_REQUESTS = "TooManyRequests";
    static final String BODY_TOO_SLOW = "BodyTooSlow";
    static final String BODY_TOO_LARGE = "BodyTooLarge";
    static final String DEVICE_TOO_MANY_REQUESTS = "DeviceTooManyRequests";
}
