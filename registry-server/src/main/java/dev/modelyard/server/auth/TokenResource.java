package dev.modelyard.server.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Management of API tokens. The secret is returned once, at creation. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TOKENS)
public class TokenResource {

    private final TokenService tokens;
    private final SecurityIdentity identity;

    public TokenResource(TokenService tokens, SecurityIdentity identity) {
        this.tokens = tokens;
        this.identity = identity;
    }

    public record CreateToken(String name, String role, Instant expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenView(UUID id, String name, String role, String hint, Instant createdAt, String createdBy,
                            Instant expiresAt, Instant revokedAt, String token) {
        static TokenView of(ApiToken t, String secret) {
            return new TokenView(t.id, t.name, t.role.wireName(), t.hint, t.createdAt, t.createdBy, t.expiresAt,
                    t.revokedAt, secret);
        }
    }

    @POST
    @PermissionsAllowed(Permission.TOKENS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Issue an API token")
    @APIResponseSchema(value = TokenView.class, responseCode = "201",
            responseDescription = "The token with its secret (shown once); Location names it")
    public Response create(CreateToken body) {
        if (body == null) throw ApiException.of(ProblemCode.MISSING_BODY, "request body is required: {\"name\":…, \"role\":…}");
        Role role;
        try {
            role = Role.parse(body.role());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        // No escalation: a token never holds a permission its issuer lacks (an admin cannot mint a system-admin).
        if (!Permission.heldAll(identity, role.permissions())) {
            throw ApiException.of(ProblemCode.FORBIDDEN, "role: a " + role.wireName()
                    + " token holds permissions this token does not have");
        }
        TokenService.Issued issued = tokens.issue(body.name(), role, body.expiresAt(), identity.getPrincipal().getName());
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
