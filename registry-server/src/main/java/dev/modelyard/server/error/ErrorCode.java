package dev.modelyard.server.error;

import com.fasterxml.jackson.annotation.JsonValue;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The one table of error codes: the {@code code} member of every problem body of the management
 * API. Clients may branch on it; the {@code detail} text is for people and may change. A code,
 * once published, keeps its name (and its status). Each status has a generic code for problems no
 * client would tell apart; specific codes exist where a client would act differently. The table
 * in docs/api-errors.md lists them all (a test keeps it complete).
 *
 * <p>It lives outside the http package because services raise these codes too (through
 * {@link DomainException}); the status beside each code is the one place a code meets HTTP.
 * The schema keeps its published name so the API document does not change with the move.
 */
@Schema(name = "ProblemCode")
public enum ErrorCode {

    // ---- 400: the request itself is malformed -------------------------------------------------
    /** The request is invalid in a way no more specific code names; the detail says how. */
    BAD_REQUEST(400, "bad-request"),
    /** The request body is not well-formed JSON; the detail gives line and column. */
    INVALID_JSON(400, "invalid-json"),
    /** A body field has the wrong JSON type (e.g. an array where a string belongs); see {@code field}. */
    INVALID_FIELD_TYPE(400, "invalid-field-type"),
    /** A body field has a value of the right type that is not allowed (format, length, range, enum); see {@code field}. */
    INVALID_FIELD(400, "invalid-field"),
    /** A required body field is missing or null; see {@code field}. */
    MISSING_FIELD(400, "missing-field"),
    /** The operation needs a request body and got none. */
    MISSING_BODY(400, "missing-body"),
    /** The request body names a field the operation does not take; see {@code field} and {@code accepted}. */
    UNKNOWN_FIELD(400, "unknown-field"),
    /** The request names a query parameter the operation does not take; see {@code parameter} and {@code accepted}. */
    UNKNOWN_QUERY_PARAMETER(400, "unknown-query-parameter"),
    /** A path segment, query parameter or header has a value that is not allowed (type, range, format); see {@code parameter}. */
    INVALID_PARAMETER(400, "invalid-parameter"),
    /** A name (model, alias, token, profile, controller id, file name) breaks its naming rule. */
    INVALID_NAME(400, "invalid-name"),
    /** A path segment, query value, header or JSON string holds a control character (e.g. NUL); see {@code parameter} or {@code field}. */
    INVALID_CHARACTER(400, "invalid-character"),
    /** The request target has malformed percent-encoding or is not UTF-8. */
    INVALID_ENCODING(400, "invalid-encoding"),
    /** Uploaded root metadata is not a valid signed root document. */
    INVALID_ROOT(400, "invalid-root"),
    /** A device filter does not parse or names an unknown field, operator or model; see {@code offset} and the token in the detail. */
    INVALID_FILTER(400, "invalid-filter"),
    /** An upload's body ended before the length it announced; resume or send it again. */
    INCOMPLETE_UPLOAD(400, "incomplete-upload"),

    // ---- 401 / 403 ----------------------------------------------------------------------------
    /** No valid credentials: missing, unknown, expired or revoked token. */
    UNAUTHORIZED(401, "unauthorized"),
    /** The credentials belong to a tenant that is disabled; its data is kept until it is enabled again. */
    TENANT_DISABLED(401, "tenant-disabled"),
    /** The credentials are valid but their role does not hold the permission the operation needs. */
    FORBIDDEN(403, "forbidden"),
    /** A rollout (or its phase) must be approved by someone other than the token that created it. */
    SELF_APPROVAL(403, "self-approval"),
    /** The Modelyard-Tenant header names another tenant than the API token's own. */
    TENANT_MISMATCH(403, "tenant-mismatch"),
    /**
     * Command steps run programs on the shared server: outside the default tenant they need the
     * operator to name the allowed programs first.
     */
    COMMANDS_NOT_ALLOWED(403, "commands-not-allowed"),
    /** The token or role asked for would hold permissions the caller's token lacks. */
    PERMISSION_NOT_HELD(403, "permission-not-held"),
    /** The token is scoped to model names and the operation reaches beyond the model catalogue. */
    OUT_OF_SCOPE(403, "out-of-scope"),

    // ---- 404: something named in the request does not exist ------------------------------------
    /** No resource at this path (an unknown path, or something no more specific code names). */
    NOT_FOUND(404, "not-found"),
    /** The model named in the path or body does not exist. */
    MODEL_NOT_FOUND(404, "model-not-found"),
    /** The model has no such version (or alias resolving to one). */
    VERSION_NOT_FOUND(404, "version-not-found"),
    /** The model has no such alias. */
    ALIAS_NOT_FOUND(404, "alias-not-found"),
    /** The version has no such artifact. */
    ARTIFACT_NOT_FOUND(404, "artifact-not-found"),
    /** The version is a draft or its release is not signed yet: it has no release metadata. */
    RELEASE_NOT_FOUND(404, "release-not-found"),
    /** No device with this controller id. */
    DEVICE_NOT_FOUND(404, "device-not-found"),
    /** No such action (for this device). */
    ACTION_NOT_FOUND(404, "action-not-found"),
    /** No such resumable upload session. */
    UPLOAD_NOT_FOUND(404, "upload-not-found"),
    /** No such conversion job. */
    JOB_NOT_FOUND(404, "job-not-found"),
    /** No such conversion profile. */
    PROFILE_NOT_FOUND(404, "profile-not-found"),
    /** No such API token. */
    TOKEN_NOT_FOUND(404, "token-not-found"),
    /** No built-in or custom role of this name. */
    ROLE_NOT_FOUND(404, "role-not-found"),
    /** No such tenant. */
    TENANT_NOT_FOUND(404, "tenant-not-found"),
    /** No such publisher key. */
    PUBLISHER_KEY_NOT_FOUND(404, "publisher-key-not-found"),
    /** No such root metadata version, or none uploaded yet. */
    ROOT_NOT_FOUND(404, "root-not-found"),
    /** No rollout with this id. */
    ROLLOUT_NOT_FOUND(404, "rollout-not-found"),
    /** No delta with this id for this artifact. */
    DELTA_NOT_FOUND(404, "delta-not-found"),
    /** No device group with this name. */
    DEVICE_GROUP_NOT_FOUND(404, "device-group-not-found"),
    /** No git source with this name. */
    GIT_SOURCE_NOT_FOUND(404, "git-source-not-found"),

    // ---- 405 / 406 ----------------------------------------------------------------------------
    /** The resource exists but does not take this method; see the Allow header. */
    METHOD_NOT_ALLOWED(405, "method-not-allowed"),
    /** No representation matches the Accept header. */
    NOT_ACCEPTABLE(406, "not-acceptable"),
    /** hawkBit's Management API: the action is closed or being cancelled already, so it cannot be cancelled (again). */
    ACTION_NOT_CANCELABLE(405, "action-not-cancelable"),

    // ---- 408 ----------------------------------------------------------------------------------
    /** The request body arrived slower than the server's minimum rate and was ended; send it again (a resumable upload from its offset). */
    UPLOAD_TOO_SLOW(408, "upload-too-slow"),

    // ---- 409: the request conflicts with the current state --------------------------------------
    /** The request conflicts with the resource's state in a way no more specific code names. */
    CONFLICT(409, "conflict"),
    /** Something with this name or identity exists already. */
    ALREADY_EXISTS(409, "already-exists"),
    /** The operation works on drafts only and this version is not one (e.g. publishing twice, deleting a release). */
    VERSION_NOT_DRAFT(409, "version-not-draft"),
    /** The version is published: its content and files cannot change, only its status. */
    VERSION_IMMUTABLE(409, "version-immutable"),
    /** The operation needs a published (deployable) version and this one is a draft, deprecated or revoked. */
    VERSION_NOT_DEPLOYABLE(409, "version-not-deployable"),
    /** The version's status cannot change to the one asked for. */
    INVALID_STATUS_TRANSITION(409, "invalid-status-transition"),
    /** The version cannot be published yet (no artifacts, or its self-test does not fit them). */
    VERSION_NOT_PUBLISHABLE(409, "version-not-publishable"),
    /** The model has released versions and cannot be deleted. */
    MODEL_HAS_RELEASES(409, "model-has-releases"),
    /** The version has an artifact for this target already. */
    TARGET_TAKEN(409, "target-taken"),
    /** The action or job is finished (or being cancelled) and cannot take this operation. */
    ALREADY_FINISHED(409, "already-finished"),
    /** Another request is working on the same resource; retry when it ends. */
    CONCURRENT_REQUEST(409, "concurrent-request"),
    /** The resumable upload's offset differs from the Upload-Offset sent; resume from the offset in the detail. */
    UPLOAD_OFFSET_MISMATCH(409, "upload-offset-mismatch"),
    /** The role is built in: its name is reserved and it cannot be changed or deleted. */
    ROLE_BUILT_IN(409, "role-built-in"),
    /** Tokens that are not revoked carry the role, so it cannot be deleted. */
    ROLE_IN_USE(409, "role-in-use"),
    /** There is nothing to convert: no enabled profile or no ONNX source artifact. */
    NOTHING_TO_CONVERT(409, "nothing-to-convert"),
    /** An assignment naming one device would give it, running Modelyard's updater, a release counter below the one it runs, which it refuses without a rollback authorization ({@code "rollback": true}). */
    RELEASE_COUNTER_ROLLBACK(409, "release-counter-rollback"),
    /** The rollout's state does not allow the operation (e.g. resuming a finished rollout, editing a running one); the detail names the state. */
    ROLLOUT_STATE(409, "rollout-state"),

    // ---- 410 ----------------------------------------------------------------------------------
    /** The resource existed and is gone for good (a revoked version, a closed action). */
    GONE(410, "gone"),
    /** The device reported on an action that is closed: it should drop the action. */
    ACTION_CLOSED(410, "action-closed"),

    // ---- 413 / 414 / 415 / 416 ----------------------------------------------------------------
    /** The request body (or upload) is larger than the server takes. */
    BODY_TOO_LARGE(413, "body-too-large"),
    /** A part of the request body (e.g. self-test tensors) is larger than allowed. */
    TOO_LARGE(413, "too-large"),
    /** The request line (path and query) is longer than the server takes. */
    URI_TOO_LONG(414, "uri-too-long"),
    /** The request's Content-Type is not one this operation reads. */
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type"),
    /** The Range asks for bytes outside the file; see Content-Range. */
    RANGE_NOT_SATISFIABLE(416, "range-not-satisfiable"),

    // ---- 422: well-formed, but the content is refused ------------------------------------------
    /** The request is well-formed but its content is refused in a way no more specific code names. */
    UNPROCESSABLE(422, "unprocessable"),
    /** The uploaded bytes' SHA-256 differs from the digest the request announced; nothing was stored. */
    DIGEST_MISMATCH(422, "digest-mismatch"),
    /** The base named for a delta is not a file of this model (no such version, no artifact of the format, unknown digest) or is the target itself. */
    DELTA_BASE_INVALID(422, "delta-base-invalid"),
    /** The artifact is smaller than modelyard.delta.min-size: a delta would save too little to be built. */
    DELTA_TARGET_TOO_SMALL(422, "delta-target-too-small"),
    /** The uploaded file is not a valid model of its format; nothing was stored. */
    INVALID_MODEL(422, "invalid-model"),
    /** A declarative manifest is invalid or names what does not exist; the problem's errors give file, line and column of each; nothing was changed. */
    INVALID_MANIFEST(422, "invalid-manifest"),
    /** This registry requires a publisher signature and the upload has none. */
    SIGNATURE_REQUIRED(422, "signature-required"),
    /** The publisher signature is by an unknown or revoked key, or does not match the upload. */
    INVALID_SIGNATURE(422, "invalid-signature"),
    /** The root metadata is not signed by the trusted root's threshold. */
    ROOT_NOT_TRUSTED(422, "root-not-trusted"),

    // ---- 423 ----------------------------------------------------------------------------------
    /** hawkBit's Management API: the software module is locked (its version is released), its files cannot change. */
    LOCKED(423, "locked"),

    // ---- 429 ----------------------------------------------------------------------------------
    /** The client sent more requests than its rate limit allows (per token or per address); see {@code Retry-After}. */
    RATE_LIMITED(429, "rate-limited"),
    /** As many uploads are in progress as allowed (on the server, with this token or from this address); see {@code Retry-After}. */
    TOO_MANY_UPLOADS(429, "too-many-uploads"),

    // ---- 431 ----------------------------------------------------------------------------------
    /** The request's headers are larger than the server takes. */
    HEADERS_TOO_LARGE(431, "headers-too-large"),

    // ---- 5xx ----------------------------------------------------------------------------------
    /** The server failed; the cause is in its log. */
    INTERNAL_ERROR(500, "internal-error"),
    /** The server is temporarily unable to answer; retry later. */
    UNAVAILABLE(503, "unavailable"),
    /** The server cannot reach its database right now (503 with {@code Retry-After}): send the request again. */
    DATABASE_UNAVAILABLE(503, "database-unavailable"),
    /** The server has no room left for the upload; retry later or ask an operator. */
    STORAGE_FULL(507, "storage-full");

    private final int status;
    private final String wireName;

    ErrorCode(int status, String wireName) {
        this.status = status;
        this.wireName = wireName;
    }

    /** The HTTP status this code is always answered with. */
    public int status() {
        return status;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * The attribute of a failed authentication that names the code its 401 answer carries (e.g.
     * {@link #TENANT_DISABLED}), so the feature that refuses needs no HTTP and the HTTP layer no feature.
     */
    public static final String AUTHENTICATION_ATTRIBUTE = "modelyard.error-code";

    /** The generic code of a status, for problems raised where no specific code is known. */
    public static ErrorCode generic(int status) {
        return switch (status) {
            case 400 -> BAD_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            // The one kind of 408 and the most general kind of 429 the server raises.
            case 408 -> UPLOAD_TOO_SLOW;
            case 409 -> CONFLICT;
            case 410 -> GONE;
            case 413 -> BODY_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 416 -> RANGE_NOT_SATISFIABLE;
            case 422 -> UNPROCESSABLE;
            case 423 -> LOCKED;
            case 429 -> RATE_LIMITED;
            case 431 -> HEADERS_TOO_LARGE;
            case 503 -> UNAVAILABLE;
            case 507 -> STORAGE_FULL;
            default -> status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
        };
    }
}
