package dev.modelyard.server.tenantadmin;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Tenant administration: the system administrator's, never a tenant's. */
@Path("/api/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TENANTS)
public class TenantResource {

    private final TenantAdmin admin;
    private final SecurityIdentity identity;

    public TenantResource(TenantAdmin admin, SecurityIdentity identity) {
        this.admin = admin;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permission.TENANTS_CREATE)
    @Operation(summary = "Create a tenant and its first admin API token")
    @APIResponseSchema(value = TenantApi.CreatedTenant.class, responseCode = "201",
            responseDescription = "The tenant and its first admin token with the secret (shown once); Location names the tenant")
    @APIResponse(responseCode = "409", description = "A tenant with that id exists (already-exists)")
    public Response create(TenantApi.CreateTenant body) {
        if (body == null) throw ApiException.of(ErrorCode.MISSING_BODY, "request body is required: {\"id\":…, \"name\":…}");
        if (body.id() == null) throw ApiException.field(ErrorCode.MISSING_FIELD, "id", "id: required");
        TenantAdmin.Created c = admin.create(body.id(), body.name(), identity.getPrincipal().getName());
        var token = c.adminToken();
        return Response.created(URI.create("/api/v1/tenants/" + c.tenant().id))
                .entity(new TenantApi.CreatedTenant(TenantApi.TenantView.of(c.tenant()), new TenantApi.FirstToken(
                        token.token().id, token.token().name, token.token().role, token.secret())))
                .build();
    }

    @GET
    @PermissionsAllowed(Permission.TENANTS_READ)
    @Operation(summary = "List tenants")
    public List<TenantApi.TenantView> list() {
        return admin.list().stream().map(TenantApi.TenantView::of).toList();
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permission.TENANTS_READ)
    @Operation(summary = "A tenant")
    public TenantApi.TenantView get(@PathParam("id") String id) {
        return TenantApi.TenantView.of(admin.get(id));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permission.TENANTS_UPDATE)
    @Operation(summary = "Rename, disable or enable a tenant (a disabled tenant's tokens and devices are refused and its "
            + "conversion jobs wait; its data is kept; enabling it again renews its signed metadata at once)")
    @APIResponseSchema(value = TenantApi.TenantView.class, responseCode = "200", responseDescription = "The tenant as changed")
    @APIResponse(responseCode = "404", description = "No such tenant (tenant-not-found)")
    @APIResponse(responseCode = "409", description = "The default tenant cannot be disabled: it holds the system administrator's token")
    public TenantApi.TenantView patch(@PathParam("id") String id, TenantApi.PatchTenant body) {
        return TenantApi.TenantView.of(admin.patch(id, body));
    }
}
