package dev.modelyard.server.hawkbit;

import dev.modelyard.server.artifact.ArtifactDownloads;
import dev.modelyard.server.artifact.TransferMetrics;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiException;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** hawkBit's {@code /rest/v1/softwaremodules}: model versions and their files. */
@Path(MgmtApi.BASE + "/softwaremodules")
@Tag(name = MgmtJson.TAG)
@Produces(MediaType.APPLICATION_JSON)
public class MgmtModuleResource {

    private final MgmtModules service;
    private final MgmtArtifacts artifacts;
    private final ArtifactDownloads downloads;
    private final MgmtJson json;
    private final SecurityIdentity identity;

    public MgmtModuleResource(MgmtModules service, MgmtArtifacts artifacts, ArtifactDownloads downloads, MgmtJson json,
                              SecurityIdentity identity) {
        this.service = service;
        this.artifacts = artifacts;
        this.downloads = downloads;
        this.json = json;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Operation(summary = "hawkBit: list software modules (model versions; offset, limit)")
    @APIResponse(responseCode = "200", description = "A page of modules",
            content = @Content(schema = @Schema(implementation = MgmtJson.ModulePage.class)))
    public MgmtApi.PagedList<MgmtApi.SoftwareModule> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        return service.listModules(Paging.of(offset, limit, null));
    }

    @POST
    @PermissionsAllowed(Permission.MODELS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "hawkBit: create software modules (an array): each a draft version of the model named after it")
    @RequestBody(content = @Content(schema = @Schema(implementation = MgmtApi.SoftwareModuleRequest[].class)))
    @APIResponse(responseCode = "201", description = "The created modules",
            content = @Content(schema = @Schema(implementation = MgmtApi.SoftwareModule[].class)))
    @APIResponse(responseCode = "409", description = "The model has this version already")
    public Response create(String body) {
        return Response.status(201).entity(service.createModules(json.list(body, MgmtApi.SoftwareModuleRequest.class),
                MgmtJson.caller(identity))).build();
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{moduleId}")
    @Operation(summary = "hawkBit: one software module")
    @APIResponse(responseCode = "200", description = "The module",
            content = @Content(schema = @Schema(implementation = MgmtApi.SoftwareModule.class)))
    public MgmtApi.SoftwareModule get(@PathParam("moduleId") long moduleId) {
        return service.getModule(moduleId);
    }

    @DELETE
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{moduleId}")
    @Operation(summary = "hawkBit: delete a module: a draft version is deleted, a published one deprecated")
    @APIResponse(responseCode = "204", description = "Deleted (or, released, marked deleted)")
    public Response delete(@PathParam("moduleId") long moduleId) {
        service.deleteModule(moduleId);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{moduleId}/artifacts")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "hawkBit: upload a file (multipart 'file'; optional filename, md5sum, sha1sum, sha256sum, and Modelyard's format)")
    @APIResponse(responseCode = "201", description = "The stored artifact with its hashes",
            content = @Content(schema = @Schema(implementation = MgmtApi.Artifact.class)))
    @APIResponse(responseCode = "409", description = "The module's version has a file for this target already, or another upload of it runs")
    @APIResponse(responseCode = "423", description = "The module is locked: its version is released and its files never change")
    @APIResponse(responseCode = "413", description = "Larger than the server's upload limit")
    @APIResponse(responseCode = "422", description = "A model file that is not usable (e.g. an invalid ONNX or TensorFlow Lite model); nothing is kept")
    @APIResponse(responseCode = "507", description = "Not enough free staging space on the server")
    public Response upload(@PathParam("moduleId") long moduleId, @RestForm("file") FileUpload file,
                           @RestForm("filename") String filename, @RestForm("md5sum") String md5sum,
                           @RestForm("sha1sum") String sha1sum, @RestForm("sha256sum") String sha256sum,
                           @RestForm("format") String format) {
        if (file == null) throw ApiException.badRequest("file: the form has no 'file' part");
        String name = filename != null && !filename.isBlank() ? filename : file.fileName();
        MgmtApi.Artifact a = artifacts.upload(moduleId, new MgmtArtifacts.Upload(file.uploadedFile(), file.size(), name,
                Optional.ofNullable(file.contentType()).orElse(MediaType.APPLICATION_OCTET_STREAM), format, md5sum, sha1sum,
                sha256sum, MgmtJson.caller(identity)));
        return Response.status(201).entity(a).build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{moduleId}/artifacts")
    @Operation(summary = "hawkBit: the module's files")
    @APIResponse(responseCode = "200", description = "The artifacts",
            content = @Content(schema = @Schema(implementation = MgmtApi.Artifact[].class)))
    public List<MgmtApi.Artifact> artifacts(@PathParam("moduleId") long moduleId) {
        return artifacts.list(moduleId);
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{moduleId}/artifacts/{artifactId}")
    @Operation(summary = "hawkBit: one file of the module")
    @APIResponse(responseCode = "200", description = "The artifact",
            content = @Content(schema = @Schema(implementation = MgmtApi.Artifact.class)))
    public MgmtApi.Artifact artifact(@PathParam("moduleId") long moduleId, @PathParam("artifactId") long artifactId) {
        return artifacts.get(moduleId, artifactId);
    }

    @DELETE
    @PermissionsAllowed(Permission.ARTIFACTS_DELETE)
    @Path("/{moduleId}/artifacts/{artifactId}")
    @Operation(summary = "hawkBit: delete a file of a draft module")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "423", description = "The module is locked: its version is released and its files never change")
    public Response deleteArtifact(@PathParam("moduleId") long moduleId, @PathParam("artifactId") long artifactId) {
        artifacts.delete(moduleId, artifactId);
        return Response.noContent().build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{moduleId}/artifacts/{artifactId}/download")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "hawkBit: download a file (Range supported)")
    @APIResponse(responseCode = "200", description = "The bytes")
    @APIResponse(responseCode = "206", description = "The requested range")
    @APIResponse(responseCode = "304", description = "Not modified (If-None-Match)")
    @APIResponse(responseCode = "307", description = "With presigned downloads on (S3 store): Location is a short-lived URL of the bytes in the bucket")
    @APIResponse(responseCode = "416", description = "The range is outside the file")
    public Response download(@PathParam("moduleId") long moduleId, @PathParam("artifactId") long artifactId,
                             @HeaderParam("Range") String range, @HeaderParam("If-Range") String ifRange,
                             @HeaderParam("If-None-Match") String ifNoneMatch) {
        return downloads.serve(artifacts.find(moduleId, artifactId), range, ifRange, ifNoneMatch, true,
                TransferMetrics.DownloadApi.MANAGEMENT);
    }
}
