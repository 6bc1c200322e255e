package dev.modelyard.server.ddi;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.server.artifact.ArtifactDownloads;
import dev.modelyard.server.artifact.TransferMetrics;
import dev.modelyard.server.database.DatabaseFailures;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import dev.modelyard.server.delta.DeltaOffers;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.device.DeviceService;
import dev.modelyard.server.device.LastSeen;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ByteRange;
import dev.modelyard.server.limits.Limits;
import dev.modelyard.server.signing.ReleaseSigner;
import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ConfigData;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The Eclipse hawkBit Direct Device Integration API, wire-compatible with hawkBit clients.
 * Errors follow hawkBit: 401, 404 and 410 with an empty body; 400 for unreadable bodies and 404
 * for modules not assigned to the device with hawkBit's {@code errorCode}/{@code message} JSON.
 * While the database cannot be reached, whatever needs it answers 503 with {@code Retry-After}
 * and an empty body (never 401: a token that could not be checked is not a bad token).
 * Each operation documents its own statuses; the OpenAPI document gives them the device-token scheme.
 */
@Path("/{tenant}/controller/v1/{controllerId}")
@PermitAll
@Tag(name = ApiDocumentation.DDI)
@SecurityRequirement(name = ApiDocumentation.DEVICE_TOKEN)
public class DdiResource {

    private static final Logger LOG = Logger.getLogger(DdiResource.class);
    static final String HAL_JSON = "application/hal+json";
    static final String NO_CACHE = "no-cache, no-store, max-age=0, must-revalidate";
    private static final DateTimeFormatter OLD_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

    /** Gateway-token devices: controller id → device id, so their polls need no extra lookup. */
    private final Map<String, Long> gatewayDevices = new ConcurrentHashMap<>();

    private final SecurityIdentity identity;
    private final TenantContext tenants;
    private final CurrentIdentityAssociation identities;
    private final DdiService ddi;
    private final DeviceService devices;
    private final DeploymentService deployments;
    private final ArtifactDownloads downloads;
    private final LastSeen lastSeen;
    private final Clock clock;
    private final PollMetrics pollMetrics;
    private final Limits limits;

    public DdiResource(SecurityIdentity identity, CurrentIdentityAssociation identities, DdiService ddi, DeviceService devices, DeploymentService deployments,
                       ArtifactDownloads downloads, LastSeen lastSeen, Clock clock, PollMetrics pollMetrics,
                       Limits limits, TenantContext tenants) {
        this.identity = identity;
        this.tenants = tenants;
        this.identities = identities;
        this.ddi = ddi;
        this.devices = devices;
        this.deployments = deployments;
        this.downloads = downloads;
        this.lastSeen = lastSeen;
        this.clock = clock;
        this.pollMetrics = pollMetrics;
        this.limits = limits;
    }

    /** The authenticated device of a request. {@code tokenHash} is null for the gateway token. */
    private record Caller(long deviceId, String tokenHash) {
    }

    /** A hawkBit-style failure: status, and optionally hawkBit's error JSON. */
    static final class DdiFailure extends RuntimeException {
        final int status;
        final String errorCode;
        final Map<String, String> headers;

        DdiFailure(int status, String errorCode, String message) {
            this(status, errorCode, message, Map.of());
        }

        DdiFailure(int status, String errorCode, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.errorCode = errorCode;
            this.headers = headers;
        }
    }

    // ---- poll ---------------------------------------------------------------------------------

    /**
     * Runs on the I/O thread: a known device whose answer is cached is served from memory
     * without a thread hand-over; anything else (first poll, a change, a cache miss) continues
     * on a worker thread, where the database may be read.
     */
    @GET
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Base poll: what the device should do next (hawkBit DDI)")
    @APIResponse(responseCode = "200", description = "Polling interval and links to what to do next",
            content = @Content(mediaType = HAL_JSON, schema = @Schema(implementation = ControllerBase.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "400", description = "A gateway token polled for a controller id that is not valid (hawkBit error JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiDocumentation.DDI_ERROR)))
    @APIResponse(responseCode = "406", description = "The Accept header names none of application/hal+json, application/json, application/cbor (empty body)")
    public Uni<Response> poll(@PathParam("tenant") String tenant, @PathParam("controllerId") String controllerId,
                              @HeaderParam("Accept") String accept, @HeaderParam("If-None-Match") String ifNoneMatch,
                              @Context UriInfo uri) {
        long start = System.nanoTime();
        String base = base(uri, tenant, controllerId);
        return identities.getDeferredIdentity().onItem().transformToUni(id -> {
            Response fast = run(id, controllerId, () -> {
                countRequest(id, controllerId);
                return knownCaller(id, controllerId)
                    .flatMap(c -> ddi.cachedPoll(c.deviceId(), c.tokenHash(), base)
                            .map(r -> pollAnswer(c, r, accept, ifNoneMatch, true, start)))
                    .orElse(null);
            });
            if (fast != null) return Uni.createFrom().item(fast);
            // A worker thread has no request context: the database work names the caller's tenant.
            return Uni.createFrom().item(() -> tenants.callAs(tenantOf(id), () -> run(id, controllerId, () -> {
                Caller caller = caller(id, controllerId, true);
                return pollAnswer(caller, ddi.poll(caller.deviceId(), caller.tokenHash(), base), accept, ifNoneMatch, false, start);
            }))).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }).onFailure(DatabaseFailures::isUnavailable).recoverWithItem(DdiResource::unavailable);
    }

    private Response pollAnswer(Caller caller, DdiService.Rendered r, String accept, String ifNoneMatch,
                                boolean fromCache, long startNanos) {
        lastSeen.record(caller.deviceId(), clock.instant());
        String type = mediaType(accept);
        if (!type.equals(DdiMedia.CBOR)) {
            boolean unchanged = ifNoneMatch != null && ArtifactDownloads.matches(ifNoneMatch, r.etag());
            Response answer = unchanged ? Response.notModified().header("ETag", r.etag()).build()
                    : json(r.body(), type).header("ETag", r.etag()).build();
            pollMetrics.answered(fromCache, startNanos, unchanged);
            return answer;
        }
        // CBOR is rare (constrained devices): encoded per request from the cached JSON, with its own ETag.
        Response answer = withEtag(r.body(), type, ifNoneMatch);
        pollMetrics.answered(fromCache, startNanos, answer.getStatus() == 304);
        return answer;
    }

    // ---- deployments ---------------------------------------------------------------------------

    @GET
    @Path("/deploymentBase/{actionId}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "The deployment of an action: chunks, artifacts, hashes and download links")
    @APIResponse(responseCode = "200", description = "The deployment: one chunk per model, download links and hashes",
            content = @Content(mediaType = HAL_JSON, schema = @Schema(implementation = DeploymentBase.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @APIResponse(responseCode = "406", description = "The Accept header names none of application/hal+json, application/json, application/cbor (empty body)")
    public Response deploymentBase(@PathParam("tenant") String tenant, @PathParam("controllerId") String controllerId,
                                   @PathParam("actionId") String actionId, @QueryParam("actionHistory") String history,
                                   @HeaderParam("Accept") String accept, @HeaderParam("If-None-Match") String ifNoneMatch,
                                   @Context UriInfo uri) {
        return deployment(tenant, controllerId, actionId, history, accept, ifNoneMatch, uri, false);
    }

    @GET
    @Path("/installedBase/{actionId}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "The deployment the device last installed successfully")
    @APIResponse(responseCode = "200", description = "The last successfully installed deployment",
            content = @Content(mediaType = HAL_JSON, schema = @Schema(implementation = DeploymentBase.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @APIResponse(responseCode = "406", description = "The Accept header names none of application/hal+json, application/json, application/cbor (empty body)")
    public Response installedBase(@PathParam("tenant") String tenant, @PathParam("controllerId") String controllerId,
                                  @PathParam("actionId") String actionId, @QueryParam("actionHistory") String history,
                                  @HeaderParam("Accept") String accept, @HeaderParam("If-None-Match") String ifNoneMatch,
                                  @Context UriInfo uri) {
        return deployment(tenant, controllerId, actionId, history, accept, ifNoneMatch, uri, true);
    }

    /** deploymentBase and installedBase answer alike; installedBase shows the last successful action. */
    private Response deployment(String tenant, String controllerId, String actionId, String history, String accept,
                                String ifNoneMatch, UriInfo uri, boolean installed) {
        return asDevice(controllerId, caller -> {
            byte[] body = DdiJson.write(ddi.deployment(caller.deviceId(), id(actionId), base(uri, tenant, controllerId),
                    historyLimit(history), installed));
            return withEtag(body, accept, ifNoneMatch);
        });
    }

    @POST
    @Path("/deploymentBase/{actionId}/feedback")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Report progress or the result of a deployment")
    @APIResponse(responseCode = "200", description = "Recorded (empty body)")
    @APIResponse(responseCode = "400", description = "The body is not readable feedback (hawkBit error JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiDocumentation.DDI_ERROR)))
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @APIResponse(responseCode = "410", description = "The action is closed (empty body)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Feedback.class)))
    public Response deploymentFeedback(@PathParam("controllerId") String controllerId, @PathParam("actionId") String actionId,
                                       String body) {
        return feedback(controllerId, actionId, body, deployments::deploymentFeedback);
    }

    @GET
    @Path("/cancelAction/{actionId}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "An action the device is asked to cancel")
    @APIResponse(responseCode = "200", description = "The action to cancel",
            content = @Content(mediaType = HAL_JSON, schema = @Schema(implementation = CancelActionBase.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @APIResponse(responseCode = "406", description = "The Accept header names none of application/hal+json, application/json, application/cbor (empty body)")
    public Response cancelAction(@PathParam("controllerId") String controllerId, @PathParam("actionId") String actionId,
                                 @HeaderParam("Accept") String accept, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return asDevice(controllerId, caller ->
                withEtag(DdiJson.write(ddi.cancelAction(caller.deviceId(), id(actionId))), accept, ifNoneMatch));
    }

    @POST
    @Path("/cancelAction/{actionId}/feedback")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Accept (closed/success) or refuse (rejected, closed/failure) a cancellation")
    @APIResponse(responseCode = "200", description = "Recorded (empty body)")
    @APIResponse(responseCode = "400", description = "The body is not readable feedback (hawkBit error JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiDocumentation.DDI_ERROR)))
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @APIResponse(responseCode = "410", description = "The action is closed (empty body)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Feedback.class)))
    public Response cancelFeedback(@PathParam("controllerId") String controllerId, @PathParam("actionId") String actionId,
                                   String body) {
        return feedback(controllerId, actionId, body, deployments::cancelFeedback);
    }

    /** Where a device's report on one of its actions goes: deployment or cancellation feedback. */
    @FunctionalInterface
    private interface FeedbackSink {
        void record(long deviceId, String controllerId, long actionId, DeploymentService.Report report);
    }

    /** Both feedback endpoints read the same body and answer alike; only where the report goes differs. */
    private Response feedback(String controllerId, String actionId, String body, FeedbackSink sink) {
        return recorded(controllerId, caller -> {
            DeploymentService.Report report = report(body);
            try {
                sink.record(caller.deviceId(), controllerId, id(actionId), report);
            } catch (DomainException e) {
                // Impossible health figures are a body hawkBit would call unreadable: its error JSON, with the reason.
                if (e.code() == ErrorCode.INVALID_FIELD) throw unreadable(e.getMessage());
                throw e;
            }
        });
    }

    @PUT
    @Path("/configData")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Report the device's attributes (mode merge, replace or remove)")
    @APIResponse(responseCode = "200", description = "Recorded (empty body)")
    @APIResponse(responseCode = "400", description = "The body is not readable attributes (hawkBit error JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiDocumentation.DDI_ERROR)))
    @APIResponse(responseCode = "404", description = "Unknown device (gateway token) or action (empty body)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConfigData.class)))
    public Response configData(@PathParam("controllerId") String controllerId, String body) {
        return recorded(controllerId, caller -> {
            ConfigData data = parse(body, ConfigData.class);
            ConfigData.Mode mode;
            try {
                mode = ConfigData.Mode.parse(data.mode());
            } catch (IllegalArgumentException e) {
                throw unreadable(e.getMessage());
            }
            if (data.data() == null) throw unreadable("data: is required");
            devices.reportAttributes(caller.deviceId(), data.data(), mode);
        });
    }

    // ---- artifacts -----------------------------------------------------------------------------

    @GET
    @Path("/softwaremodules/{moduleId}/artifacts")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "The files of a software module assigned to the device")
    @APIResponse(responseCode = "200", description = "The module's files with hashes and download links",
            content = @Content(mediaType = HAL_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = DeploymentBase.Artifact.class)))
    @APIResponse(responseCode = "404", description = "Unknown device, or a module not assigned to it (empty body)")
    @APIResponse(responseCode = "406", description = "The Accept header names none of application/hal+json, application/json, application/cbor (empty body)")
    public Response artifacts(@PathParam("tenant") String tenant, @PathParam("controllerId") String controllerId,
                              @PathParam("moduleId") String moduleId, @HeaderParam("Accept") String accept,
                              @Context UriInfo uri) {
        return asDevice(controllerId, caller ->
                json(DdiJson.write(ddi.files(caller.deviceId(), moduleId, base(uri, tenant, controllerId))), mediaType(accept)).build());
    }

    @GET
    @Path("/softwaremodules/{moduleId}/artifacts/{filename}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Download a file: Range (a-b, a-, -n), If-Range, If-None-Match; '.MD5SUM' gives its md5 line",
            description = "Besides the payload and its signed files, a ready delta offered in the chunk's modelyardDeltas "
                    + "(<payload>.<delta id>.mydelta, served as " + DeltaFormat.MEDIA_TYPE + ")")
    @APIResponse(responseCode = "200", description = "The whole file",
            content = {@Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = DeltaFormat.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    @APIResponse(responseCode = "206", description = "The requested range (Content-Range)",
            content = {@Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = DeltaFormat.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "307", description = "With presigned downloads on (S3 store), for the artifact or delta: Location "
            + "is a short-lived URL of the same bytes in the bucket; repeat the GET (and Range) there without the device's token")
    @APIResponse(responseCode = "404", description = "Unknown device (empty body), or a file not assigned to it (hawkBit error JSON)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiDocumentation.DDI_ERROR)))
    @APIResponse(responseCode = "416",
            description = "The range starts beyond the end of the file (Content-Range: bytes */size; empty body)")
    public Response download(@PathParam("controllerId") String controllerId, @PathParam("moduleId") String moduleId,
                             @PathParam("filename") String filename, @HeaderParam("Range") String range,
                             @HeaderParam("If-Range") String ifRange, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return file(controllerId, moduleId, filename, range, ifRange, ifNoneMatch, true);
    }

    @HEAD
    @Path("/softwaremodules/{moduleId}/artifacts/{filename}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "A file's download headers (size, ETag) without the bytes")
    @APIResponse(responseCode = "200", description = "The headers of the whole file")
    @APIResponse(responseCode = "206", description = "The headers of the requested range")
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag: nothing changed (empty body)")
    @APIResponse(responseCode = "404", description = "Unknown device, or a file not assigned to it")
    @APIResponse(responseCode = "416", description = "The range starts beyond the end of the file")
    public Response downloadHead(@PathParam("controllerId") String controllerId, @PathParam("moduleId") String moduleId,
                                 @PathParam("filename") String filename, @HeaderParam("Range") String range,
                                 @HeaderParam("If-Range") String ifRange, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return file(controllerId, moduleId, filename, range, ifRange, ifNoneMatch, false);
    }

    private Response file(String controllerId, String moduleId, String filename, String range, String ifRange,
                          String ifNoneMatch, boolean withBody) {
        return asDevice(controllerId, caller -> {
            DdiService.File f;
            try {
                f = ddi.file(caller.deviceId(), moduleId, filename);
            } catch (DomainException e) {
                // hawkBit answers a module that is unknown or not assigned with its entityNotFound
                // body, and a file the module does not have with a bare 404.
                if (e.code() == ErrorCode.ARTIFACT_NOT_FOUND) {
                    throw new DdiFailure(404, "hawkbit.server.error.repo.entityNotFound", e.getMessage());
                }
                throw e;
            }
            return switch (f.kind()) {
                case ARTIFACT -> downloads.serve(f.artifact(), range, ifRange, ifNoneMatch, withBody, TransferMetrics.DownloadApi.DDI);
                case ARTIFACT_MD5SUM -> md5sum(new String(f.bytes(), StandardCharsets.US_ASCII), f.artifact().filename, withBody);
                case RELEASE_MD5SUM -> md5sum(BlobDigests.hex("MD5", f.bytes()), f.artifact().filename + DdiService.RELEASE_SUFFIX, withBody);
                case RELEASE -> small(f.bytes(), f.artifact().filename + DdiService.RELEASE_SUFFIX, range, ifRange, ifNoneMatch, withBody);
                case ROLLBACK_MD5SUM -> md5sum(BlobDigests.hex("MD5", f.bytes()), f.artifact().filename + DdiService.ROLLBACK_SUFFIX, withBody);
                case ROLLBACK -> small(f.bytes(), f.artifact().filename + DdiService.ROLLBACK_SUFFIX, range, ifRange, ifNoneMatch, withBody);
                case SELF_TEST_MD5SUM -> md5sum(BlobDigests.hex("MD5", f.bytes()), ReleaseSigner.selfTestFilename(f.artifact().filename), withBody);
                case SELF_TEST -> small(f.bytes(), ReleaseSigner.selfTestFilename(f.artifact().filename), range, ifRange, ifNoneMatch, withBody);
                case DELTA -> delta(f, range, ifRange, ifNoneMatch, withBody);
                case DELTA_MD5SUM -> md5sum(new String(f.bytes(), StandardCharsets.US_ASCII),
                        DeltaFiles.filename(f.artifact(), f.delta().id()), withBody);
            };
        });
    }

    /** A delta file, served as artifacts are (ranges, validators, HEAD); counted as a delta or a compressed full file. */
    private Response delta(DdiService.File f, String range, String ifRange, String ifNoneMatch, boolean withBody) {
        DeltaOffers.Offer d = f.delta();
        TransferMetrics.DownloadKind kind = d.baseSha256() == null ? TransferMetrics.DownloadKind.COMPRESSED
                : TransferMetrics.DownloadKind.DELTA;
        return downloads.serve(new ArtifactDownloads.Download(d.blobSha256(), d.size(), DeltaFiles.filename(f.artifact(), d.id()),
                DeltaFormat.MEDIA_TYPE), range, ifRange, ifNoneMatch, withBody, TransferMetrics.DownloadApi.DDI, kind);
    }

    private static Response md5sum(String md5, String filename, boolean withBody) {
        byte[] body = (md5 + "  " + filename + "\n").getBytes(StandardCharsets.UTF_8);
        Response.ResponseBuilder b = Response.ok().type(MediaType.TEXT_PLAIN_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + filename + DdiService.MD5SUM_SUFFIX + "\"")
                .header("Content-Length", body.length);
        return (withBody ? b.entity(body) : b).build();
    }

    /** Generated content (signed metadata) with the same Range and validator rules as artifacts. */
    private static Response small(byte[] bytes, String filename, String rangeHeader, String ifRange, String ifNoneMatch,
                                  boolean withBody) {
        String etag = "\"" + BlobDigests.hex("SHA-256", bytes) + "\"";
        if (ifNoneMatch != null && ArtifactDownloads.matches(ifNoneMatch, etag)) {
            return Response.notModified().header("ETag", etag).build();
        }
        Optional<ByteRange> range = ifRange == null || ifRange.strip().equals(etag)
                ? ByteRange.parse(rangeHeader, bytes.length) : Optional.empty();
        byte[] body = range.map(r -> Arrays.copyOfRange(bytes, (int) r.first(), (int) r.last() + 1)).orElse(bytes);
        Response.ResponseBuilder b = Response.status(range.isPresent() ? 206 : 200).type(MediaType.APPLICATION_JSON_TYPE)
                .header("ETag", etag).header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + filename + "\"")
                .header("Content-Length", body.length);
        range.ifPresent(r -> b.header("Content-Range", r.contentRange(bytes.length)));
        return (withBody ? b.entity(body) : b).build();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Counts the request against the device's rate limit (cached polls included) and refuses it
     * with 429 and Retry-After, which hawkBit clients back off on. Only an authenticated device
     * is counted, so the limiter's keys are real devices; others get their 401 later. A device a
     * gateway speaks for is counted by name until its id is known.
     */
    private void countRequest(SecurityIdentity identity, String controllerId) {
        if (identity.isAnonymous() || !controllerId.equals(identity.getAttribute(DdiIdentityProvider.CONTROLLER_ID))) {
            return;
        }
        Long id = identity.getAttribute(DdiIdentityProvider.DEVICE_ID);
        if (id == null) id = gatewayDevices.get(gatewayKey(identity, controllerId));
        long retryAfter = id != null ? limits.deviceRetryAfter(id) : limits.deviceRetryAfter(tenantOf(identity), controllerId);
        if (retryAfter > 0) {
            throw new DdiFailure(429, null, "", Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    /** The caller when no database read is needed to know it; 401 for anyone but this device. */
    private Optional<Caller> knownCaller(SecurityIdentity identity, String controllerId) {
        if (identity.isAnonymous() || !identity.hasRole(DdiIdentityProvider.ROLE)
                || !controllerId.equals(identity.getAttribute(DdiIdentityProvider.CONTROLLER_ID))) {
            throw new DdiFailure(401, null, "");
        }
        Long id = identity.getAttribute(DdiIdentityProvider.DEVICE_ID);
        if (id != null) return Optional.of(new Caller(id, identity.getAttribute(DdiIdentityProvider.TOKEN_HASH)));
        return Optional.ofNullable(gatewayDevices.get(gatewayKey(identity, controllerId))).map(known -> new Caller(known, null));
    }

    private Caller caller(SecurityIdentity identity, String controllerId, boolean register) {
        Optional<Caller> known = knownCaller(identity, controllerId);
        if (known.isPresent()) return known.get();
        // The gateway token: any controller id of the tenant; unknown ones are registered on their first poll.
        Optional<Long> found = devices.idOf(controllerId);
        if (found.isEmpty() && !register) throw new DdiFailure(404, null, "");
        long id;
        try {
            id = found.isPresent() ? found.get() : devices.registerIfAbsent(controllerId);
        } catch (DomainException e) {
            if (e.code() != ErrorCode.INVALID_NAME) throw e;
            throw new DdiFailure(400, "hawkbit.server.error.rest.param.invalid", e.getMessage());
        }
        gatewayDevices.put(gatewayKey(identity, controllerId), id);
        return new Caller(id, null);
    }

    /** Gateway-registered devices are known by tenant and controller id: two tenants may use the same id. */
    private static String gatewayKey(SecurityIdentity identity, String controllerId) {
        return tenantOf(identity) + "/" + controllerId;
    }

    private static String tenantOf(SecurityIdentity identity) {
        return identity.getAttribute(TenantContext.ATTRIBUTE) instanceof String t ? t : Tenants.DEFAULT;
    }

    /** Runs a request of a known device (never registers one): 401/404 as hawkBit answers strangers. */
    private Response asDevice(String controllerId, java.util.function.Function<Caller, Response> body) {
        return run(identity, controllerId, () -> {
            countRequest(identity, controllerId);
            return body.apply(caller(identity, controllerId, false));
        });
    }

    /** A report of a known device: recorded, then answered 200 with an empty body as hawkBit does. */
    private Response recorded(String controllerId, java.util.function.Consumer<Caller> record) {
        return asDevice(controllerId, caller -> {
            record.accept(caller);
            return Response.ok().build();
        });
    }

    /** Runs a DDI request; a 401 forgets that controller id's gateway mapping (the device may be gone). */
    private Response run(SecurityIdentity who, String controllerId, Supplier<Response> body) {
        try {
            return body.get();
        } catch (DdiFailure f) {
            if (f.status == 401) gatewayDevices.remove(gatewayKey(who, controllerId));
            return failure(f.status, f.errorCode, f.getMessage(), f.headers);
        } catch (DomainException e) {
            // DDI error bodies are hawkBit's, not problem+json: the code decides the status only.
            if (e.code().status() == 401) gatewayDevices.remove(gatewayKey(who, controllerId));
            return failure(e.code().status(), null, null, e instanceof ApiException api ? api.headers() : Map.of());
        } catch (RuntimeException e) {
            if (DatabaseFailures.isUnavailable(e)) return unavailable(e);
            throw e;
        }
    }

    /** The database could not be reached: retryable, as hawkBit clients retry any 5xx at their next poll. */
    private static Response unavailable(Throwable cause) {
        LOG.debug("DDI request failed: the database cannot be reached", cause);
        return failure(503, null, null, Map.of("Retry-After", Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS)));
    }

    private static Response failure(int status, String errorCode, String message, Map<String, String> headers) {
        Response.ResponseBuilder b = Response.status(status).header("Cache-Control", NO_CACHE);
        headers.forEach(b::header);
        if (errorCode != null) {
            b.type(MediaType.APPLICATION_JSON_TYPE).entity(DdiJson.write(Map.of("errorCode", errorCode, "message", message)));
        }
        return b.build();
    }

    /** {@code json} as the answer in {@code type}, one of {@link DdiMedia}'s. */
    private static Response.ResponseBuilder json(byte[] json, String type) {
        return Response.ok(DdiMedia.encode(json, type)).type(type).header("Cache-Control", NO_CACHE);
    }

    /** The answer with an ETag of the bytes sent ("0" + md5, as hawkBit), or 304 when it matches. */
    private static Response withEtag(byte[] json, String accept, String ifNoneMatch) {
        String type = mediaType(accept);
        byte[] body = DdiMedia.encode(json, type);
        String etag = DdiService.etag(body);
        if (ifNoneMatch != null && ArtifactDownloads.matches(ifNoneMatch, etag)) {
            return Response.notModified().header("ETag", etag).build();
        }
        return Response.ok(body).type(type).header("Cache-Control", NO_CACHE).header("ETag", etag).build();
    }

    /** The negotiated answer type (see {@link DdiMedia}); 406 when the client accepts none of them. */
    static String mediaType(String accept) {
        return DdiMedia.negotiate(accept).orElseThrow(() -> new DdiFailure(406, null, ""));
    }

    private static String base(UriInfo uri, String tenant, String controllerId) {
        String b = uri.getBaseUri().toString();
        if (b.endsWith("/")) b = b.substring(0, b.length() - 1);
        return b + "/" + tenant + "/controller/v1/" + controllerId;
    }

    private static long id(String actionId) {
        try {
            return Long.parseLong(actionId.strip());
        } catch (NumberFormatException e) {
            throw new DdiFailure(404, null, "");
        }
    }

    private static int historyLimit(String text) {
        if (text == null || text.isBlank()) return 0;
        try {
            int n = Integer.parseInt(text.strip());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private DeploymentService.Report report(String body) {
        Feedback f = parse(body, Feedback.class);
        if (f.status() == null) throw unreadable("status: is required");
        if (f.health().stream().anyMatch(java.util.Objects::isNull)) throw unreadable("modelyardHealth: an entry is null");
        try {
            Feedback.Execution execution = Feedback.Execution.parse(f.status().execution());
            Feedback.Finished finished = Feedback.Finished.parse(f.status().result() == null ? null : f.status().result().finished());
            java.util.List<String> details = new java.util.ArrayList<>();
            if (f.status().details() != null) details.addAll(f.status().details());
            if (f.status().result() != null) progressLine(f.status().result().progress()).ifPresent(details::add);
            return new DeploymentService.Report(execution, finished, f.status().code(), details, occurredAt(f), f.health(),
                    f.transfers());
        } catch (IllegalArgumentException e) {
            throw unreadable(e.getMessage());
        }
    }

    /**
     * hawkBit's {@code progress} ({@code cnt} of {@code of} steps) as a line of the action's
     * history, e.g. "Progress: 1 of 3". Clients that send the object empty or half-filled (some
     * always send it) record no line: the history stays free of "null of null".
     */
    static Optional<String> progressLine(Feedback.Progress p) {
        if (p == null || p.cnt() == null || p.cnt() < 0) return Optional.empty();
        boolean total = p.of() != null && p.of() > 0 && p.cnt() <= p.of();
        return Optional.of("Progress: " + p.cnt() + (total ? " of " + p.of() : ""));
    }

    /** The device's time of the event: {@code timestamp} (epoch ms), or an older client's {@code time}. */
    private Instant occurredAt(Feedback f) {
        Instant now = clock.instant();
        Instant t = null;
        if (f.timestamp() != null && f.timestamp() > 0) {
            t = Instant.ofEpochMilli(f.timestamp());
        } else if (f.time() != null && !f.time().isBlank()) {
            try {
                t = LocalDateTime.parse(f.time().strip(), OLD_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                t = null;
            }
        }
        return t == null || t.isAfter(now.plusSeconds(86_400)) ? now : t;
    }

    private static <T> T parse(String body, Class<T> type) {
        if (body == null || body.isBlank()) throw unreadable("the request body is empty");
        try {
            T value = DdiJson.read(body, type);
            if (value == null) throw unreadable("the request body is empty");
            return value;
        } catch (JsonProcessingException e) {
            throw unreadable("The given request body is not well formed");
        }
    }

    private static DdiFailure unreadable(String message) {
        return new DdiFailure(400, "hawkbit.server.error.rest.body.notReadable", message);
    }
}
