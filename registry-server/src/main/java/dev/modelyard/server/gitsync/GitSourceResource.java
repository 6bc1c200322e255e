package dev.modelyard.server.gitsync;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Git sources of the caller's tenant: define them, see their sync status and objects, and ask for a sync now. */
@Path("/api/v1/git-sources")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.GITOPS)
public class GitSourceResource {

    private final GitSources sources;
    private final GitSync sync;
    private final SecurityIdentity identity;
    private final TenantContext tenants;

    public GitSourceResource(GitSources sources, GitSync sync, SecurityIdentity identity, TenantContext tenants) {
        this.sources = sources;
        this.sync = sync;
        this.identity = identity;
        this.tenants = tenants;
    }

    @GET
    @PermissionsAllowed(Permission.GITSYNC_READ)
    @Operation(summary = "List git sources", description = "By name, each with its sync status.")
    public Page<GitSourceApi.SourceView> list(@QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return sources.list(Page.request(page, size));
    }

    @POST
    @PermissionsAllowed(Permission.GITSYNC_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a git source", description = "The sync acts with the permissions of `role`, which the caller must "
            + "hold in full. Credentials and the webhook secret are references (`env:NAME`, `file:/path`), read when a pass runs; "
            + "their values are never stored or shown. The first sync starts at once.")
    @APIResponseSchema(value = GitSourceApi.SourceView.class, responseCode = "201", responseDescription = "The source, status pending; Location names it")
    @APIResponse(responseCode = "403", description = "The token lacks `gitsync:create`, or a permission of the source's role (forbidden)")
    @APIResponse(responseCode = "409", description = "A git source with this name exists (already-exists)")
    public Response create(GitSourceApi.SourceBody body) {
        GitSourceApi.SourceView created = sources.create(body, identity.getPrincipal().getName(), p -> Permission.held(identity, p));
        sync.request(tenants.current(), created.name());
        return Response.created(URI.create("/api/v1/git-sources/" + created.name())).entity(created).build();
    }

    @GET
    @Path("/{name}")
    @PermissionsAllowed(Permission.GITSYNC_READ)
    @Operation(summary = "A git source with its sync status", description = "`status`, the last synced commit, the last attempt "
            + "with its errors at file, line and column, drift (objects changed outside git), conflicts, and when the next pass is due.")
    @APIResponseSchema(value = GitSourceApi.SourceView.class, responseCode = "200", responseDescription = "The source and its status")
    @APIResponse(responseCode = "404", description = "No git source of that name (git-source-not-found)")
    public GitSourceApi.SourceView get(@PathParam("name") String name) {
        return sources.get(name);
    }

    @PUT
    @Path("/{name}")
    @PermissionsAllowed(Permission.GITSYNC_UPDATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a git source's definition", description = "Fields left out take their defaults; the status stays. "
            + "A sync starts at once. The caller must hold every permission of the (new) role.")
    @APIResponseSchema(value = GitSourceApi.SourceView.class, responseCode = "200", responseDescription = "The source as it is now")
    @APIResponse(responseCode = "403", description = "The token lacks `gitsync:update`, or a permission of the source's role (forbidden)")
    @APIResponse(responseCode = "404", description = "No git source of that name (git-source-not-found)")
    public GitSourceApi.SourceView update(@PathParam("name") String name, GitSourceApi.SourceBody body) {
        GitSourceApi.SourceView updated = sources.update(name, body, p -> Permission.held(identity, p));
        sync.request(tenants.current(), name);
        return updated;
    }

    @DELETE
    @Path("/{name}")
    @PermissionsAllowed(Permission.GITSYNC_DELETE)
    @Operation(summary = "Delete a git source", description = "The objects it managed stay as they are, managed by no source "
            + "(the CLI or another git source may take them over).")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No git source of that name (git-source-not-found)")
    public Response delete(@PathParam("name") String name) {
        sources.delete(name);
        return Response.noContent().build();
    }

    @POST
    @Path("/{name}/sync")
    @PermissionsAllowed(Permission.GITSYNC_UPDATE)
    @Operation(summary = "Sync a git source now", description = "Starts a pass at once (fetch, apply a new commit, or check for drift) "
            + "and answers before it ends: read the source until `lastAttempt.at` moves.")
    @APIResponseSchema(value = GitSourceApi.SourceView.class, responseCode = "202", responseDescription = "The pass is under way; the source as it was")
    @APIResponse(responseCode = "404", description = "No git source of that name (git-source-not-found)")
    public Response syncNow(@PathParam("name") String name) {
        GitSourceApi.SourceView source = sources.requestSync(name);
        sync.request(tenants.current(), name);
        return Response.accepted(source).build();
    }

    @GET
    @Path("/{name}/objects")
    @PermissionsAllowed(Permission.GITSYNC_READ)
    @Operation(summary = "The objects a git source manages", description = "By kind and name, each with the commit it was last applied "
            + "from; 404 git-source-not-found when there is no such source.")
    public Page<GitSourceApi.ManagedObject> objects(@PathParam("name") String name, @QueryParam("page") Integer page,
                                                    @QueryParam("size") Integer size) {
        return sources.objects(name, Page.request(page, size));
    }
}
