package dev.modelyard.server.upload;

import dev.modelyard.server.artifact.ArtifactResource;
import dev.modelyard.server.artifact.ArtifactService;
import dev.modelyard.server.artifact.ArtifactView;
import dev.modelyard.server.artifact.ExpectedDigest;
import dev.modelyard.server.artifact.TargetParams;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.signing.PublisherSignatures;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Resumable uploads for large artifacts. The protocol borrows tus's {@code Upload-Offset}
 * header and OCI distribution's digest-checked finish:
 * <ol>
 *   <li>{@code POST …/versions/{v}/uploads?filename=…&format=…} → 201, {@code Location} of the session</li>
 *   <li>{@code PATCH …/uploads/{id}} with {@code Upload-Offset: n} and the next bytes → 204, new {@code Upload-Offset}</li>
 *   <li>after a cut, {@code HEAD …/uploads/{id}} tells the offset to resume from</li>
 *   <li>{@code PUT …/uploads/{id}?digest=sha256:<hex>} → 201 with the artifact, or 422 on mismatch</li>
 * </ol>
 */
@Path("/api/v1/models/{model}/versions/{version}/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.UPLOADS)
public class UploadResource {

    static final String OFFSET = "Upload-Offset";
    static final String TUS_CONTENT_TYPE = "application/offset+octet-stream";

    private final UploadService uploads;
    private final SecurityIdentity identity;

    public UploadResource(UploadService uploads, SecurityIdentity identity) {
        this.uploads = uploads;
        this.identity = identity;
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
        @Operation(summary = "Open a resumable upload for one artifact", description = "Target descriptor as query parameters.")
    @APIResponseSchema(value = UploadService.UploadView.class, responseCode = "201",
            responseDescription = "The upload session; Location names it, Upload-Offset is 0")
    @APIResponse(responseCode = "409", description = "The version is not a draft: released versions are immutable")
    public Response open(@PathParam("model") String model, @PathParam("version") String version,
                         @QueryParam("filename") String filename, @BeanParam TargetParams target) {
        ArtifactService.requireFilename(filename);
        UploadService.UploadView u = uploads.open(model, version, filename, target.toDescriptor(filename),
                identity.getPrincipal().getName());
        return Response.created(URI.create(u.url())).header(OFFSET, 0).entity(u).build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}")
    @Operation(summary = "An upload session: offset, target, expiry, and whether a request is appending now")
    public UploadService.UploadView get(@PathParam("model") String model, @PathParam("version") String version,
                                         @PathParam("id") UUID id) {
        return uploads.get(new UploadService.Ref(model, version, id));
    }

    @HEAD
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}")
    @Operation(summary = "The offset to resume from")
    @APIResponse(responseCode = "200", description = "Upload-Offset tells where to resume")
    public Response head(@PathParam("model") String model, @PathParam("version") String version,
                         @PathParam("id") UUID id) {
        return Response.ok().header(OFFSET, uploads.get(new UploadService.Ref(model, version, id)).offset()).header("Cache-Control", "no-store").build();
    }

    @PATCH
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_OCTET_STREAM, TUS_CONTENT_TYPE})
    @Operation(summary = "Append bytes at Upload-Offset")
    @APIResponse(responseCode = "204", description = "Appended; Upload-Offset is the new offset")
    @APIResponse(responseCode = "400",
            description = "Upload-Offset is missing or not a number, or the body was cut off (resume from the offset)")
    @APIResponse(responseCode = "409",
            description = "Upload-Offset does not match the upload's offset, or another request is appending")
    @APIResponse(responseCode = "413", description = "Larger than the server's upload limit")
    @APIResponse(responseCode = "507", description = "Not enough free staging space on the server for this upload")
    public Response append(@PathParam("model") String model, @PathParam("version") String version,
                           @PathParam("id") UUID id, @HeaderParam(OFFSET) String offset, InputStream body) {
        long start = parseOffset(offset);
        long next;
        try {
            next = uploads.append(new UploadService.Ref(model, version, id), start, body);
        } catch (ResumeFrom e) {
            throw ApiException.of(e.code(), e.detail(), java.util.Map.of(OFFSET, Long.toString(e.offset())));
        }
        return Response.noContent().header(OFFSET, next).build();
    }

    @PUT
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}")
    @Operation(summary = "Finish the upload: verify the digest and create the artifact")
    @APIResponseSchema(value = ArtifactView.class, responseCode = "201",
            responseDescription = "The artifact; Location names it")
    @APIResponse(responseCode = "200", description = "Replaced the draft's file of the same name",
            content = @Content(schema = @Schema(implementation = ArtifactView.class)))
    @APIResponse(responseCode = "409",
            description = "The upload is busy or incomplete, the version is not a draft, or it has an artifact for this target")
    @APIResponse(responseCode = "422",
            description = "The bytes do not match the digest, are not a usable ONNX or TensorFlow Lite model, or the publisher signature does not verify")
    public Response finish(@PathParam("model") String model, @PathParam("version") String version,
                           @PathParam("id") UUID id, @QueryParam("digest") String digest,
                           @HeaderParam(PublisherSignatures.HEADER) String publisherSignature) {
        String expected = ExpectedDigest.fromHex(digest, "digest")
                .orElseThrow(() -> ApiException.parameter(ErrorCode.INVALID_PARAMETER, "digest", "digest: is required to finish an upload (?digest=sha256:<hex>)"));
        return ArtifactResource.stored(uploads.finish(new UploadService.Ref(model, version, id), expected, publisherSignature));
    }

    @DELETE
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}")
    @Operation(summary = "Cancel an upload and discard its data")
    @APIResponse(responseCode = "204", description = "Cancelled and discarded")
    public Response cancel(@PathParam("model") String model, @PathParam("version") String version,
                           @PathParam("id") UUID id) {
        uploads.cancel(new UploadService.Ref(model, version, id));
        return Response.noContent().build();
    }

    private static long parseOffset(String header) {
        if (header == null) throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, OFFSET, OFFSET + ": header is required");
        try {
            long v = Long.parseLong(header.strip());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, OFFSET, OFFSET + ": '" + header + "' is not a non-negative whole number");
        }
    }
}
