package dev.modelyard.server.artifact;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.FormFields;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.signing.PublisherSignatures;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

/** Upload, inspect and download a version's artifacts. */
@Path("/api/v1/models/{model}/versions/{version}/artifacts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.ARTIFACTS)
public class ArtifactResource {

    private final ArtifactService artifacts;
    private final ArtifactDownloads downloads;
    private final SecurityIdentity identity;

    public ArtifactResource(ArtifactService artifacts, ArtifactDownloads downloads, SecurityIdentity identity) {
        this.artifacts = artifacts;
        this.downloads = downloads;
        this.identity = identity;
    }

    @PUT
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{filename}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Upload an artifact as the raw request body (streamed)",
            description = "Target descriptor as query parameters. Send the expected digest as "
                    + "'Content-Digest: sha-256=:<base64>:' (RFC 9530) or ?sha256=<hex>; on mismatch the answer "
                    + "is 422 and nothing is kept. A draft's file of the same name is replaced.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM))
    @APIResponseSchema(value = ArtifactView.class, responseCode = "201",
            responseDescription = "Stored; Location names the artifact, ETag is its SHA-256")
    @APIResponse(responseCode = "200", description = "Replaced the draft's file of the same name",
            content = @Content(schema = @Schema(implementation = ArtifactView.class)))
    @APIResponse(responseCode = "409",
            description = "The version is not a draft: released versions are immutable, or it has another artifact for this target, or another upload of it runs")
    @APIResponse(responseCode = "413", description = "Larger than the server's upload limit")
    @APIResponse(responseCode = "422",
            description = "The bytes do not match the expected digest, are not a usable ONNX or TensorFlow Lite model, or the publisher signature does not verify; nothing is kept")
    @APIResponse(responseCode = "507", description = "Not enough free staging space on the server for this upload")
    public Response put(@PathParam("model") String model, @PathParam("version") String version,
                        @PathParam("filename") String filename, @BeanParam TargetParams target,
                        @HeaderParam("Content-Digest") String contentDigest, @QueryParam("sha256") String sha256,
                        @HeaderParam(PublisherSignatures.HEADER) String publisherSignature,
                        @HeaderParam("Content-Length") Long contentLength, InputStream body) {
        ArtifactService.requireFilename(filename);
        ArtifactService.Upload u = new ArtifactService.Upload(model, version, filename, target.toDescriptor(filename),
                MediaType.APPLICATION_OCTET_STREAM, ExpectedDigest.from(contentDigest, sha256), publisherSignature, caller());
        ArtifactService.Stored stored = artifacts.upload(u, contentLength == null ? -1 : contentLength, body,
                TransferMetrics.UploadMethod.DIRECT);
        return stored(stored);
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload an artifact from a browser form (multipart/form-data, field 'file')")
    @APIResponseSchema(value = ArtifactView.class, responseCode = "201",
            responseDescription = "Stored; Location names the artifact, ETag is its SHA-256")
    @APIResponse(responseCode = "200", description = "Replaced the draft's file of the same name",
            content = @Content(schema = @Schema(implementation = ArtifactView.class)))
    @APIResponse(responseCode = "409",
            description = "The version is not a draft: released versions are immutable, or it has another artifact for this target, or another upload of it runs")
    @APIResponse(responseCode = "413", description = "Larger than the server's upload limit")
    @APIResponse(responseCode = "422",
            description = "The bytes do not match the expected digest, are not a usable ONNX or TensorFlow Lite model, or the publisher signature does not verify; nothing is kept")
    @APIResponse(responseCode = "507", description = "Not enough free staging space on the server for this upload")
    public Response post(@PathParam("model") String model, @PathParam("version") String version,
                         @HeaderParam(PublisherSignatures.HEADER) String publisherSignature,
                         @BeanParam MultipartUpload form, MultipartFormDataInput parts) {
        FormFields.refuseUnknown(parts, MultipartUpload.class);
        if (form.file == null) throw ApiException.field(ErrorCode.MISSING_FIELD, "file", "file: the form has no 'file' part");
        String filename = ArtifactService.requireFilename(form.effectiveFilename());
        ArtifactService.Upload u = new ArtifactService.Upload(model, version, filename, form.toDescriptor(filename),
                Optional.ofNullable(form.file.contentType()).orElse(MediaType.APPLICATION_OCTET_STREAM),
                ExpectedDigest.fromHex(form.sha256, "sha256"), publisherSignature, caller());
        try (InputStream in = Files.newInputStream(form.file.uploadedFile())) {
            return stored(artifacts.upload(u, form.file.size(), in, TransferMetrics.UploadMethod.MULTIPART));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 201 with the new artifact's location, or 200 when it replaced a draft's file of the same name. */
    public static Response stored(ArtifactService.Stored stored) {
        ArtifactView a = stored.artifact();
        return (stored.replaced() ? Response.ok() : Response.created(URI.create(a.url()))).entity(a)
                .header("ETag", etag(a.sha256())).build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Operation(summary = "List a version's artifacts", description = "Filter by target fields and origin.")
    public Page<ArtifactView> list(@PathParam("model") String model, @PathParam("version") String version,
                                   @QueryParam("format") String format, @QueryParam("runtime") String runtime,
                                   @QueryParam("arch") String arch, @QueryParam("accelerator") String accelerator,
                                   @QueryParam("precision") String precision, @QueryParam("origin") String origin,
                                   @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("format", format);
        filters.put("runtime", runtime);
        filters.put("arch", arch);
        filters.put("accelerator", accelerator);
        filters.put("precision", precision);
        filters.put("origin", origin);
        return artifacts.list(model, version, filters, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{artifact}")
    @Operation(summary = "An artifact's metadata, by id or file name")
    public ArtifactView get(@PathParam("model") String model, @PathParam("version") String version,
                            @PathParam("artifact") String artifact) {
        return artifacts.get(model, version, artifact);
    }

    @DELETE
    @PermissionsAllowed(Permission.ARTIFACTS_DELETE)
    @Path("/{artifact}")
    @Operation(summary = "Remove an artifact from a draft version")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "409", description = "The version is not a draft: released versions are immutable")
    public Response delete(@PathParam("model") String model, @PathParam("version") String version,
                           @PathParam("artifact") String artifact) {
        artifacts.delete(model, version, artifact);
        return Response.noContent().build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{artifact}/signed-metadata")
    @Operation(summary = "The artifact's signed release metadata (what devices verify before installing)",
            description = "404 while the version is a draft, 410 once it is revoked.")
    @APIResponse(responseCode = "200", description = "The signed release metadata envelope",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "410", description = "The version is revoked")
    public Response signedMetadata(@PathParam("model") String model, @PathParam("version") String version,
                                   @PathParam("artifact") String artifact) {
        ArtifactService.SignedMetadata m = artifacts.signedMetadata(model, version, artifact);
        return Response.ok(m.envelope())
                .header("Content-Disposition", "attachment; filename=\"" + m.artifactFilename() + ".release.json\"")
                .build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{artifact}/content")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Download an artifact's bytes",
            description = "Supports Range (single range: a-b, a-, -n), If-Range, If-None-Match and HEAD.")
    @APIResponse(responseCode = "200", description = "The whole file",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "206", description = "The requested range (Content-Range)",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag (the SHA-256): nothing changed")
    @APIResponse(responseCode = "307", description = "With presigned downloads on (S3 store): Location is a short-lived URL "
            + "of the same bytes in the bucket; repeat the GET (and Range) there, without this API's credentials")
    @APIResponse(responseCode = "416",
            description = "The range starts beyond the end of the file (Content-Range: bytes */size)")
    public Response content(@PathParam("model") String model, @PathParam("version") String version,
                            @PathParam("artifact") String artifact, @HeaderParam("Range") String range,
                            @HeaderParam("If-Range") String ifRange, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return serve(artifacts.find(model, version, artifact), range, ifRange, ifNoneMatch, true);
    }

    @HEAD
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{artifact}/content")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "An artifact's download headers (size, ETag, digest) without the bytes")
    @APIResponse(responseCode = "200", description = "The headers of the whole file")
    @APIResponse(responseCode = "206", description = "The headers of the requested range")
    @APIResponse(responseCode = "304", description = "If-None-Match matches the ETag (the SHA-256): nothing changed")
    @APIResponse(responseCode = "416",
            description = "The range starts beyond the end of the file (Content-Range: bytes */size)")
    public Response contentHead(@PathParam("model") String model, @PathParam("version") String version,
                                @PathParam("artifact") String artifact, @HeaderParam("Range") String range,
                                @HeaderParam("If-Range") String ifRange, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return serve(artifacts.find(model, version, artifact), range, ifRange, ifNoneMatch, false);
    }

    private Response serve(Artifact a, String rangeHeader, String ifRange, String ifNoneMatch, boolean withBody) {
        return downloads.serve(a, rangeHeader, ifRange, ifNoneMatch, withBody, TransferMetrics.DownloadApi.MANAGEMENT);
    }

    static String etag(String sha256) {
        return ArtifactDownloads.etag(sha256);
    }

    private String caller() {
        return identity.getPrincipal().getName();
    }
}
