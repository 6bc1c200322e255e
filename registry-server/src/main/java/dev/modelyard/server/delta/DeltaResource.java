package dev.modelyard.server.delta;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The deltas of one artifact: files that rebuild it from a base a device holds, or compressed from nothing. */
@Path("/api/v1/models/{model}/versions/{version}/artifacts/{artifact}/deltas")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.ARTIFACTS)
public class DeltaResource {

    private final DeltaService deltas;
    private final DeltaWorkers workers;

    public DeltaResource(DeltaService deltas, DeltaWorkers workers) {
        this.deltas = deltas;
        this.workers = workers;
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Operation(summary = "An artifact's deltas, oldest first",
            description = "With lineage: the base's digest and the artifact it came from, method, status, sizes, build time, "
                    + "who asked (publication, assignment, demand, api). Filter by status.")
    @APIResponse(responseCode = "200", description = "A page of deltas")
    @APIResponse(responseCode = "404", description = "No such model, version or artifact")
    public Page<DeltaApi.DeltaView> list(@PathParam("model") String model, @PathParam("version") String version,
                                         @PathParam("artifact") String artifact, @QueryParam("status") String status,
                                         @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return deltas.list(model, version, artifact, status, Page.request(page, size));
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Operation(summary = "One delta of an artifact")
    @APIResponse(responseCode = "200", description = "The delta",
            content = @Content(schema = @Schema(implementation = DeltaApi.DeltaView.class)))
    @APIResponse(responseCode = "404", description = "No such model, version, artifact or delta (delta-not-found)")
    public DeltaApi.DeltaView get(@PathParam("model") String model, @PathParam("version") String version,
                                  @PathParam("artifact") String artifact, @PathParam("id") String id) {
        return deltas.get(model, version, artifact, uuid(id));
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request a delta from a base",
            description = "The base is another version of the model ({\"baseVersion\": \"1.0.0\"}: its artifact of the same "
                    + "target, else of the same format) or a file by digest ({\"baseSha256\": \"…\"}: an artifact of this model). "
                    + "202 when the delta was queued, 200 with the existing one when it was already requested.")
    @APIResponse(responseCode = "202", description = "Queued; Location names the delta",
            content = @Content(schema = @Schema(implementation = DeltaApi.DeltaView.class)))
    @APIResponse(responseCode = "200", description = "The delta from this base existed: it is returned as it is",
            content = @Content(schema = @Schema(implementation = DeltaApi.DeltaView.class)))
    @APIResponse(responseCode = "400", description = "Not exactly one of baseVersion or baseSha256, a malformed digest, unknown fields")
    @APIResponse(responseCode = "404", description = "No such model, version or artifact")
    @APIResponse(responseCode = "409", description = "The version is not published or deprecated, or deltas are turned off")
    @APIResponse(responseCode = "422", description = "The base is not a file of this model or is the target itself "
            + "(delta-base-invalid), or the artifact is too small for deltas (delta-target-too-small)")
    public Response request(@PathParam("model") String model, @PathParam("version") String version,
                            @PathParam("artifact") String artifact, DeltaApi.DeltaRequest body) {
        DeltaService.Requested r = deltas.request(model, version, artifact, body);
        if (!r.created()) return Response.ok(r.delta()).build();
        workers.wake();
        return Response.accepted(r.delta()).location(location(model, version, r.delta().targetArtifactId(), r.delta().id())).build();
    }

    @POST
    @Path("/{id}/retry")
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Operation(summary = "Build a failed or useless delta again", description = "From scratch, with its attempts reset.")
    @APIResponse(responseCode = "202", description = "Queued again",
            content = @Content(schema = @Schema(implementation = DeltaApi.DeltaView.class)))
    @APIResponse(responseCode = "404", description = "No such model, version, artifact or delta (delta-not-found)")
    @APIResponse(responseCode = "409", description = "The delta is not failed or useless, or deltas are turned off")
    public Response retry(@PathParam("model") String model, @PathParam("version") String version,
                          @PathParam("artifact") String artifact, @PathParam("id") String id) {
        DeltaApi.DeltaView v = deltas.retry(model, version, artifact, uuid(id));
        workers.wake();
        return Response.accepted(v).build();
    }

    /** A malformed id names no delta: 404, as an unknown one. */
    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.DELTA_NOT_FOUND, "no delta " + id);
        }
    }

    /**
     * The new delta's address, in the shape of every other Location of the API (an absolute path).
     * Each segment is encoded: a version such as {@code 1.0.0+build 7} must not change the path.
     */
    static URI location(String model, String version, UUID artifact, UUID delta) {
        return UriBuilder.fromPath("/api/v1/models/{model}/versions/{version}/artifacts/{artifact}/deltas/{id}")
                .build(model, version, artifact, delta);
    }
}
