package dev.modelyard.server.signing;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.tenant.PublicReads;
import dev.modelyard.server.tenant.TenantHeaderFilter;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The root of trust devices are provisioned with. Root metadata is public (it holds only public
 * keys), so reading it needs no token; adding a version needs keys:create. Each tenant has its own
 * root: an anonymous reader names its tenant with the Modelyard-Tenant header (default without).
 */
@Path("/api/v1/trust")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TRUST)
public class TrustResource {

    private final TrustService trust;
    private final SecurityIdentity identity;
    private final PublicReads publicReads;

    public TrustResource(TrustService trust, SecurityIdentity identity, PublicReads publicReads) {
        this.trust = trust;
        this.identity = identity;
        this.publicReads = publicReads;
    }

    private static final String TENANT_DOC = "The tenant whose root an anonymous caller reads (default: the default tenant); "
            + "with a token, the token's tenant (another one is refused with 403 tenant-mismatch)";

    @POST
    @PermissionsAllowed(Permission.KEYS_CREATE)
    @Path("/roots")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add the next root metadata version (signed offline with the CLI)",
            description = "Version 1 must be signed by its own root threshold; each later version by the previous "
                    + "version's root threshold and its own. 422 when the signatures do not chain.")
    @APIResponseSchema(value = TrustService.RootView.class, responseCode = "201",
            responseDescription = "The stored root version; Location names it")
    @APIResponse(responseCode = "409", description = "That root version exists")
    @APIResponse(responseCode = "422", description = "The signatures do not chain to the previous root")
    public Response add(String envelope) {
        TrustService.RootView v = trust.add(envelope, identity.getPrincipal().getName());
        return Response.created(URI.create(v.url())).entity(v).build();
    }

    @GET
    @Path("/roots")
    @PermitAll
    @Operation(summary = "The root metadata versions, oldest first")
    @APIResponse(responseCode = "200", description = "The root versions of the tenant, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = TrustService.RootView.class)))
    @APIResponse(responseCode = "404", description = "The Modelyard-Tenant header names no enabled tenant")
    public List<TrustService.RootView> list(@Parameter(description = TENANT_DOC) @HeaderParam(TenantHeaderFilter.HEADER) String tenant) {
        return publicReads.in(tenant, trust::list);
    }

    @GET
    @Path("/roots/{version}")
    @PermitAll
    @Operation(summary = "One root metadata version, exactly as signed")
    @APIResponse(responseCode = "200", description = "The signed root metadata envelope",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "404", description = "No such root version, or the Modelyard-Tenant header names no enabled tenant")
    public Response root(@PathParam("version") int version, @Parameter(description = TENANT_DOC) @HeaderParam(TenantHeaderFilter.HEADER) String tenant) {
        return Response.ok(publicReads.in(tenant, () -> trust.envelope(version)))
                .header("Content-Disposition", "attachment; filename=\"" + version + ".root.json\"").build();
    }

    @GET
    @Path("/roots/latest")
    @PermitAll
    @Operation(summary = "The newest root metadata: the trust bundle a new device is provisioned with")
    @APIResponse(responseCode = "200", description = "The signed root metadata envelope",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "404", description = "No root metadata has been added yet, or the Modelyard-Tenant header names no enabled tenant")
    public Response latest(@Parameter(description = TENANT_DOC) @HeaderParam(TenantHeaderFilter.HEADER) String tenant) {
        return Response.ok(publicReads.in(tenant, trust::latestEnvelope))
                .header("Content-Disposition", "attachment; filename=\"trust-bundle.json\"").build();
    }

    @GET
    @PermissionsAllowed(Permission.KEYS_READ)
    @Path("/status")
    @Operation(summary = "The release key and whether the current root trusts it")
    public TrustService.Status status() {
        return trust.status();
    }
}
