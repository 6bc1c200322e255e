package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.model.ModelApi.AliasView;
import dev.modelyard.server.model.ModelApi.CreateModel;
import dev.modelyard.server.model.ModelApi.CreateVersion;
import dev.modelyard.server.model.ModelApi.ModelView;
import dev.modelyard.server.model.ModelApi.SetAlias;
import dev.modelyard.server.model.ModelApi.VersionView;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Models, versions and aliases. */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.MODELS)
public class ModelResource {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private final ModelService models;
    private final SecurityIdentity identity;

    public ModelResource(ModelService models, SecurityIdentity identity) {
        this.models = models;
        this.identity = identity;
    }

    private String caller() {
        return identity.getPrincipal().getName();
    }

    @POST
    @PermissionsAllowed(Permission.MODELS_CREATE)
    @Operation(summary = "Create a model")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ModelView.class, responseCode = "201",
            responseDescription = "The new model; Location names it")
    @APIResponse(responseCode = "409", description = "A model of that name exists")
    public Response create(CreateModel body) {
        ModelView m = models.createModel(body, caller());
        return Response.created(URI.create("/api/v1/models/" + m.name())).entity(m).build();
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Operation(summary = "List models", description = "Filter by label (key:value, repeatable, all must match), "
            + "framework, task and name prefix (q). Sorted by name.")
    public Page<ModelView> list(@QueryParam("label") List<String> labels, @QueryParam("framework") String framework,
                                @QueryParam("task") String task, @QueryParam("q") String prefix,
                                @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return models.listModels(labels, framework, task, prefix, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{model}")
    @Operation(summary = "A model")
    public ModelView get(@PathParam("model") String model) {
        return models.getModel(model);
    }

    @PATCH
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}")
    @Operation(summary = "Change a model's description, task, framework or labels (JSON merge patch)")
    @Consumes({MediaType.APPLICATION_JSON, MERGE_PATCH})
    public ModelView patch(@PathParam("model") String model, JsonNode patch) {
        return models.patchModel(model, patch);
    }

    @DELETE
    @PermissionsAllowed(Permission.MODELS_DELETE)
    @Path("/{model}")
    @Operation(summary = "Delete a model that has no released versions")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "409", description = "The model has released versions")
    public Response delete(@PathParam("model") String model) {
        models.deleteModel(model);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.MODELS_CREATE)
    @Path("/{model}/versions")
    @Operation(summary = "Create a draft version")
    @Consumes(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.VERSIONS)
    @APIResponseSchema(value = VersionView.class, responseCode = "201",
            responseDescription = "The new draft; Location names it")
    @APIResponse(responseCode = "409", description = "The model already has this version")
    @APIResponse(responseCode = "413", description = "The self-test vectors have too many elements")
    public Response createVersion(@PathParam("model") String model, CreateVersion body) {
        VersionView v = models.createVersion(model, body, caller());
        return Response.created(URI.create("/api/v1/models/" + model + "/versions/" + v.version())).entity(v).build();
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{model}/versions")
    @Operation(summary = "List versions, newest first", description = "Filter by status.")
    @Tag(name = ApiDocumentation.VERSIONS)
    public Page<VersionView> versions(@PathParam("model") String model, @QueryParam("status") String status,
                                      @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        VersionStatus s = status == null ? null : ModelService.statusFilter(status);
        return models.listVersions(model, s, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{model}/versions/{version}")
    @Operation(summary = "Get a version by number, alias or 'latest'")
    @Tag(name = ApiDocumentation.VERSIONS)
    public VersionView version(@PathParam("model") String model, @PathParam("version") String version) {
        return models.getVersion(model, version);
    }

    @PATCH
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}/versions/{version}")
    @Operation(summary = "Change a draft's fields, or a released version's status (JSON merge patch)")
    @Consumes({MediaType.APPLICATION_JSON, MERGE_PATCH})
    @Tag(name = ApiDocumentation.VERSIONS)
    @APIResponse(responseCode = "409",
            description = "The change is not allowed in the version's status (drafts change; released versions only move status)")
    @APIResponse(responseCode = "413", description = "The self-test vectors have too many elements")
    @APIResponseSchema(value = VersionView.class, responseCode = "200", responseDescription = "The changed version")
    public VersionView patchVersion(@PathParam("model") String model, @PathParam("version") String version,
                                    JsonNode patch) {
        return models.patchVersion(model, version, patch);
    }

    @DELETE
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}/versions/{version}")
    @Operation(summary = "Delete a draft version and its artifacts")
    @Tag(name = ApiDocumentation.VERSIONS)
    @APIResponse(responseCode = "204", description = "Deleted with its artifacts")
    @APIResponse(responseCode = "409", description = "The version is not a draft")
    public Response deleteVersion(@PathParam("model") String model, @PathParam("version") String version) {
        models.deleteVersion(model, version);
        return Response.noContent().build();
    }

    @POST
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}/versions/{version}/publish")
    @Operation(summary = "Publish a draft: it becomes immutable and deployable")
    @Tag(name = ApiDocumentation.VERSIONS)
    @APIResponse(responseCode = "409",
            description = "The version is not a draft, has no artifact, or its self-test vectors do not match its I/O signature")
    @APIResponseSchema(value = VersionView.class, responseCode = "200", responseDescription = "The published version")
    public VersionView publish(@PathParam("model") String model, @PathParam("version") String version) {
        return models.publish(model, version);
    }

    @GET
    @PermissionsAllowed(Permission.MODELS_READ)
    @Path("/{model}/aliases")
    @Operation(summary = "A model's aliases")
    public List<AliasView> aliases(@PathParam("model") String model) {
        return models.aliases(model);
    }

    @PUT
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}/aliases/{alias}")
    @Operation(summary = "Point an alias at a published version")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "409", description = "The version is not published")
    @APIResponseSchema(value = AliasView.class, responseCode = "200",
            responseDescription = "The alias, now pointing at the version")
    public AliasView setAlias(@PathParam("model") String model, @PathParam("alias") String alias, SetAlias body) {
        return models.setAlias(model, alias, body, caller());
    }

    @DELETE
    @PermissionsAllowed(Permission.MODELS_UPDATE)
    @Path("/{model}/aliases/{alias}")
    @Operation(summary = "Remove an alias")
    @APIResponse(responseCode = "204", description = "Removed")
    public Response deleteAlias(@PathParam("model") String model, @PathParam("alias") String alias) {
        models.deleteAlias(model, alias);
        return Response.noContent().build();
    }
}
