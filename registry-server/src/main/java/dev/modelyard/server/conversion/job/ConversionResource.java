package dev.modelyard.server.conversion.job;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.conversion.job.JobApi.ConversionRequest;
import dev.modelyard.server.conversion.job.JobApi.JobView;
import dev.modelyard.server.conversion.job.JobApi.Requested;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Conversions of one version: request them explicitly, list its jobs. */
@Path("/api/v1/models/{model}/versions/{version}/conversions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.CONVERSION)
public class ConversionResource {

    private final JobService jobs;
    private final JobWorkers workers;
    private final SecurityIdentity identity;

    public ConversionResource(JobService jobs, JobWorkers workers, SecurityIdentity identity) {
        this.jobs = jobs;
        this.workers = workers;
        this.identity = identity;
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Convert a published version",
            description = "By the named profiles (profiles: [...]), by every enabled profile ({}), or by an ad-hoc chain "
                    + "(name, steps, target, tolerance; command steps need profiles:command). Requesting a conversion that exists "
                    + "(same source, chain and target) returns its job: 202 when a job was created, 200 when all existed.")
    @APIResponse(responseCode = "202", description = "At least one job was created",
            content = @Content(schema = @Schema(implementation = Requested.class)))
    @APIResponse(responseCode = "200", description = "All the requested conversions exist: their jobs",
            content = @Content(schema = @Schema(implementation = Requested.class)))
    @APIResponse(responseCode = "403", description = "The role lacks the permission, command steps need profiles:command, "
            + "or (commands-not-allowed) this tenant may not run commands on the shared server")
    @APIResponse(responseCode = "409", description = "The version is not published, or a named profile is disabled")
    public Response request(@PathParam("model") String model, @PathParam("version") String version,
                            ConversionRequest body) {
        Requested r = jobs.request(model, version, body, Permission.held(identity, Permission.PROFILES_COMMAND), identity.getPrincipal().getName());
        if (r.created() > 0) workers.wake();
        return Response.status(r.created() > 0 ? 202 : 200).entity(r).build();
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Operation(summary = "The version's conversion jobs, newest first")
    public Page<JobView> list(@PathParam("model") String model, @PathParam("version") String version,
                              @QueryParam("status") String status, @QueryParam("page") Integer page,
                              @QueryParam("size") Integer size) {
        return jobs.list(model, version, status, null, Page.request(page, size));
    }
}
