package dev.modelyard.server.auth;

import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.error.ErrorCode;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The roles tokens can carry: the built-in ones (read only) and the tenant's custom roles. */
@Path("/api/v1/roles")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.TOKENS)
public class RoleResource {

    private final RoleService roles;
    private final SecurityIdentity identity;

    public RoleResource(RoleService roles, SecurityIdentity identity) {
        this.roles = roles;
        this.identity = identity;
    }

    /** A custom role: its name (on create), an optional description and its permissions ("models:read", …). */
    public record RoleBody(String name, String description, List<String> permissions) {
    }

    @GET
    @PermissionsAllowed(Permission.ROLES_READ)
    @Operation(summary = "List roles: the built-in ones, then the tenant's custom roles by name")
    public List<RoleService.RoleView> list() {
        return roles.list();
    }

    @GET
    @Path("/{name}")
    @PermissionsAllowed(Permission.ROLES_READ)
    @Operation(summary = "A role and its permissions")
    public RoleService.RoleView get(@PathParam("name") String name) {
        return roles.get(name);
    }

    @POST
    @PermissionsAllowed(Permission.ROLES_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a custom role", description = "Its permissions must all be held by the calling token.")
    @APIResponseSchema(value = RoleService.RoleView.class, responseCode = "201", responseDescription = "The role; Location names it")
    @APIResponse(responseCode = "409", description = "A role of that name exists, or the name is a built-in role's")
    public Response create(RoleBody body) {
        if (body == null) throw ApiException.of(ErrorCode.MISSING_BODY, "request body is required: {\"name\":…, \"permissions\":[…]}");
        requireHeld(body.permissions());
        RoleService.RoleView created = roles.create(body.name(), body.description(), body.permissions(),
                identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/roles/" + created.name())).entity(created).build();
    }

    @PUT
    @Path("/{name}")
    @PermissionsAllowed(Permission.ROLES_UPDATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a custom role's description and permissions",
            description = "Tokens carrying the role hold the new permissions from their next request on. The new "
                    + "permissions must all be held by the calling token.")
    @APIResponseSchema(value = RoleService.RoleView.class, responseCode = "200", responseDescription = "The changed role")
    @APIResponse(responseCode = "409", description = "The role is built in")
    public RoleService.RoleView replace(@PathParam("name") String name, RoleBody body) {
        if (body == null) throw ApiException.of(ErrorCode.MISSING_BODY, "request body is required: {\"permissions\":[…]}");
        if (body.name() != null && !body.name().equals(name)) {
            throw ApiException.field(ErrorCode.INVALID_FIELD, "name", "name: a role cannot be renamed; leave it out or repeat '" + name + "'");
        }
        requireHeld(body.permissions());
        return roles.replace(name, body.description(), body.permissions());
    }

    @DELETE
    @Path("/{name}")
    @PermissionsAllowed(Permission.ROLES_DELETE)
    @Operation(summary = "Delete a custom role no active token carries")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "409", description = "The role is built in, or tokens that are not revoked carry it")
    public Response delete(@PathParam("name") String name) {
        roles.delete(name);
        return Response.noContent().build();
    }

    /**
     * No escalation through roles: whoever may edit a role could otherwise give the role of its own token
     * permissions it does not hold.
     */
    private void requireHeld(List<String> permissions) {
        List<String> wanted = RoleService.validPermissions(permissions);
        List<String> lacking = wanted.stream().filter(p -> !Permission.held(identity, p)).toList();
        if (!lacking.isEmpty()) {
            throw ApiException.of(ErrorCode.PERMISSION_NOT_HELD, "permissions: this token does not hold " + String.join(", ", lacking)
                    + ", so it cannot give them to a role");
        }
    }
}
