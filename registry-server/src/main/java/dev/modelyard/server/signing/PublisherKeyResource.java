package dev.modelyard.server.signing;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ProblemCode;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Keys publishers may sign uploads with. */
@Path("/api/v1/publisher-keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TRUST)
public class PublisherKeyResource {

    private final PublisherSignatures signatures;
    private final SecurityIdentity identity;

    public PublisherKeyResource(PublisherSignatures signatures, SecurityIdentity identity) {
        this.signatures = signatures;
        this.identity = identity;
    }

    public record RegisterKey(String name, String publicKey) {
    }

    @POST
    @PermissionsAllowed(Permission.KEYS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a publisher's Ed25519 public key (base64 of the raw 32 bytes)")
    @APIResponseSchema(value = PublisherSignatures.KeyView.class, responseCode = "201",
            responseDescription = "The registered key; Location names it")
    @APIResponse(responseCode = "409", description = "The key is registered already")
    public Response register(RegisterKey body) {
        if (body == null) throw ApiException.of(ProblemCode.MISSING_BODY, "request body is required: {\"name\":…, \"publicKey\":…}");
        PublisherSignatures.KeyView k = signatures.register(body.name(), body.publicKey(), identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/publisher-keys/" + k.id())).entity(k).build();
    }

    @GET
    @PermissionsAllowed(Permission.KEYS_READ)
    @Operation(summary = "List publisher keys")
    public List<PublisherSignatures.KeyView> list() {
        return signatures.list();
    }

    @DELETE
    @PermissionsAllowed(Permission.KEYS_DELETE)
    @Path("/{id}")
    @Operation(summary = "Revoke a publisher key")
    public PublisherSignatures.KeyView revoke(@PathParam("id") UUID id) {
        return signatures.revoke(id);
    }
}
