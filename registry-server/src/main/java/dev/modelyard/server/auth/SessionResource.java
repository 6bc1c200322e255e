package dev.modelyard.server.auth;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.tenant.Tenant;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Who the calling token is: its tenant, the token itself and what its role allows now. Any valid token may
 * ask (no permission beyond being valid): the web console reads it at sign-in to draw what the token can use.
 */
@Path("/api/v1/session")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TOKENS)
public class SessionResource {

    /** What a scoped token reaches ({@link ModelScopeFilter}): the model catalogue, whose operations guard these resources. */
    static final Set<String> CATALOGUE_RESOURCES = Set.of("models", "artifacts");

    private final SecurityIdentity identity;
    private final TenantContext tenants;

    public SessionResource(SecurityIdentity identity, TenantContext tenants) {
        this.identity = identity;
        this.tenants = tenants;
    }

    public record TenantRef(@Schema(description = "The tenant's id (the slug in device paths)") String id,
                            @Schema(description = "Its display name") String name) {
    }

    public record TokenRef(UUID id, String name,
                           @Schema(description = "A built-in or custom role name") String role,
                           @Schema(description = "The model-name glob the token is confined to; null: every model",
                                   nullable = true) String scope,
                           @Schema(description = "When the token stops working; null: never", nullable = true) Instant expiresAt) {
    }

    public record SessionView(TenantRef tenant, TokenRef token,
                              @Schema(description = "The permissions the token can use now, sorted: its role's; for a "
                                      + "scoped token only those of the model catalogue (models:*, artifacts:*), since every "
                                      + "other operation answers it 403 out-of-scope") List<String> permissions) {
    }

    @GET
    @Authenticated
    @Transactional
    @Operation(summary = "The calling token: its tenant, itself and its permissions",
            description = "What a client shows after sign-in; a scoped token may ask too, and is told only the "
                    + "catalogue permissions it can use.")
    @APIResponseSchema(value = SessionView.class, responseCode = "200", responseDescription = "The calling token's session")
    @APIResponse(responseCode = "403", description = "The Modelyard-Tenant header names another tenant than the token's "
            + "(tenant-mismatch): how a client checks, at sign-in, that a token is of the tenant the user meant")
    public SessionView get() {
        UUID tokenId = identity.getAttribute(TokenIdentityProvider.TOKEN_ID_ATTRIBUTE);
        ApiToken token = tokenId == null ? null : ApiToken.<ApiToken>findByIdOptional(tokenId).orElse(null);
        if (token == null) {
            // Revoked and deleted between authentication and this read (a changed bootstrap token).
            throw DomainException.of(ErrorCode.UNAUTHORIZED, "the API token no longer exists; sign in again");
        }
        String tenantId = tenants.current();
        Tenant tenant = Tenant.findById(tenantId);
        List<String> permissions = Permission.ALL.stream()
                .filter(p -> token.scope == null || CATALOGUE_RESOURCES.contains(Permission.resource(p)))
                .filter(p -> Permission.held(identity, p)).sorted().toList();
        return new SessionView(new TenantRef(tenantId, tenant == null ? tenantId : tenant.name),
                new TokenRef(token.id, token.name, token.role, token.scope, token.expiresAt), permissions);
    }
}
