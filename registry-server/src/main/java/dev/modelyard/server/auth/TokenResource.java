package dev.modelyard.server.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
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
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Management of API tokens. The secret is returned once, at creation. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TOKENS)
public class TokenResource {

    private final TokenService tokens;
    private final RoleService roles;
    private final SecurityIdentity identity;

    public TokenResource(TokenService tokens, RoleService roles, SecurityIdentity identity) {
        this.tokens = tokens;
        this.roles = roles;
        this.identity = identity;
    }

    /** {@code role}: a built-in or custom role name; {@code scope}: an optional model-name glob ({@link ModelScope}). */
    public record CreateToken(String name, String role, String scope, Instant expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenView(UUID id, String name, String role, String scope, String hint, Instant createdAt,
                            String createdBy, Instant expiresAt, Instant revokedAt, String token) {
        static TokenView of(ApiToken t, String secret) {
            return new TokenView(t.id, t.name, t.role, t.scope, t.hint, t.createdAt, t.createdBy, t.expiresAt,
                    t.revokedAt, secret);
        }
    }

    @POST
    @PermissionsAllowed(Permission.TOKENS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Issue an API token",
            description = "With a built-in or custom role, and optionally a scope: a model-name glob (e.g. vision-*) that "
                    + "confines the token to those models. A token never holds a permission its issuer lacks.")
    @APIResponse(responseCode = "403", description = "The role holds a permission this token lacks (permission-not-held)")
    @APIResponseSchema(value = TokenView.class, responseCode = "201",
            responseDescription = "The token with its secret (shown once); Location names it")
    public Response create(CreateToken body) {
        if (body == null) throw ApiException.of(ErrorCode.MISSING_BODY, "request body is required: {\"name\":…, \"role\":…}");
        var permissions = roles.require("role", body.role());
        String scope = ModelScope.validate("scope", body.scope());
        // No escalation: a token never holds a permission its issuer lacks (an admin cannot mint a system-admin).
        if (!Permission.heldAll(identity, permissions)) {
            throw ApiException.of(ErrorCode.PERMISSION_NOT_HELD, "role: a " + body.role()
                    + " token would hold permissions this token does not have");
        }
        TokenService.Issued issued = tokens.issue(body.name(), body.role(), scope, body.expiresAt(),
                identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/tokens/" + issued.token().id))
                .entity(TokenView.of(issued.token(), issued.secret())).build();
    }

    @GET
    @PermissionsAllowed(Permission.TOKENS_READ)
    @Operation(summary = "List API tokens (never their secrets)")
    public List<TokenView> list() {
        return tokens.list().stream().map(t -> TokenView.of(t, null)).toList();
    }

    @DELETE
    @Path("/{id}")
    @PermissionsAllowed(Permission.TOKENS_DELETE)
    @Operation(summary = "Revoke an API token")
    public TokenView revoke(@PathParam("id") UUID id) {
        return TokenView.of(tokens.revoke(id), null);
    }
}
