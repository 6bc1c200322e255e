package dev.modelyard.server.conversion.profile;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.conversion.profile.ProfileApi.ProfileBody;
import dev.modelyard.server.conversion.profile.ProfileApi.ProfileView;
import dev.modelyard.server.http.ApiDocumentation;
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

/** Target profiles: what every published version is converted to. */
@Path("/api/v1/conversion/profiles")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.CONVERSION)
public class ProfileResource {

    private final ProfileService profiles;
    private final SecurityIdentity identity;

    public ProfileResource(ProfileService profiles, SecurityIdentity identity) {
        this.profiles = profiles;
        this.identity = identity;
    }

    /** Command steps run programs on the server: defining them is a permission of its own. */
    private boolean mayDefineCommands() {
        return Permission.held(identity, Permission.PROFILES_COMMAND);
    }

    @POST
    @PermissionsAllowed(Permission.PROFILES_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a target profile",
            description = "Steps are built-in converters (ort-optimize, ort-format, fp16-weights, int8-weights-qdq, int8-dynamic, int8-static) "
                    + "or external commands (they need the permission profiles:command). The last step's format must be the target's format.")
    @APIResponseSchema(value = ProfileView.class, responseCode = "201",
            responseDescription = "The new profile; Location names it")
    @APIResponse(responseCode = "403", description = "The role lacks the permission, command steps need profiles:command, "
            + "or (commands-not-allowed) this tenant may not run commands on the shared server")
    @APIResponse(responseCode = "409", description = "A profile of that name exists")
    public Response create(ProfileBody body) {
        ProfileView p = profiles.create(body, mayDefineCommands(), identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/conversion/profiles/" + p.name())).entity(p).build();
    }

    @GET
    @PermissionsAllowed(Permission.PROFILES_READ)
    @Operation(summary = "List target profiles, by name")
    public List<ProfileView> list() {
        return profiles.list();
    }

    @GET
    @PermissionsAllowed(Permission.PROFILES_READ)
    @Path("/{name}")
    @Operation(summary = "A target profile")
    public ProfileView get(@PathParam("name") String name) {
        return profiles.get(name);
    }

    @PUT
    @PermissionsAllowed(Permission.PROFILES_UPDATE)
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a target profile's definition",
            description = "Jobs already requested keep the definition they were requested with.")
    @APIResponse(responseCode = "403", description = "The role lacks the permission, command steps (new or in the profile) need profiles:command, "
            + "or (commands-not-allowed) this tenant may not run commands on the shared server")
    @APIResponseSchema(value = ProfileView.class, responseCode = "200",
            responseDescription = "The profile with its new definition")
    public ProfileView replace(@PathParam("name") String name, ProfileBody body) {
        return profiles.replace(name, body, mayDefineCommands());
    }

    @DELETE
    @PermissionsAllowed(Permission.PROFILES_DELETE)
    @Path("/{name}")
    @Operation(summary = "Delete a target profile", description = "Its jobs and artifacts stay.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "The role lacks the permission, or the profile has command steps and the role lacks profiles:command")
    public Response delete(@PathParam("name") String name) {
        profiles.delete(name, mayDefineCommands());
        return Response.noContent().build();
    }
}
