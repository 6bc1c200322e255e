package dev.modelyard.server.conversion.job;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.conversion.job.JobApi.JobView;
import dev.modelyard.server.conversion.job.JobApi.LogLine;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.Page;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Conversion jobs: list, status and lineage, log, cancel, retry. */
@Path("/api/v1/conversion/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.CONVERSION)
public class JobResource {

    private final JobService jobs;
    private final JobWorkers workers;
    private final SecurityIdentity identity;

    public JobResource(JobService jobs, JobWorkers workers, SecurityIdentity identity) {
        this.jobs = jobs;
        this.workers = workers;
        this.identity = identity;
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Operation(summary = "List conversion jobs, newest first",
            description = "Filter by model (and version: number, alias or latest), status (queued, running, "
                    + "succeeded, failed, cancelled) and profile.")
    public Page<JobView> list(@QueryParam("model") String model, @QueryParam("version") String version,
                              @QueryParam("status") String status, @QueryParam("profile") String profile,
                              @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return jobs.list(model, version, status, profile, Page.request(page, size));
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{id}")
    @Operation(summary = "A conversion job",
            description = "Status, attempts, error, the frozen chain and, once succeeded, the result artifact with "
                    + "its lineage and equivalence figures.")
    public JobView get(@PathParam("id") long id) {
        return jobs.get(id);
    }

    @GET
    @PermissionsAllowed(Permission.ARTIFACTS_READ)
    @Path("/{id}/log")
    @Operation(summary = "A conversion job's log, oldest first",
            description = "Pass the last id seen as 'after' to read on.")
    public List<LogLine> log(@PathParam("id") long id, @QueryParam("after") @DefaultValue("0") long after,
                             @QueryParam("limit") @DefaultValue("1000") int limit) {
        return jobs.log(id, after, limit);
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_UPDATE)
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a conversion job",
            description = "A queued job is cancelled at once; a running one is stopped (an external command is "
                    + "killed) and ends cancelled. 409 for jobs that already succeeded or failed.")
    @APIResponse(responseCode = "409", description = "The job succeeded or failed already")
    @APIResponseSchema(value = JobView.class, responseCode = "200",
            responseDescription = "The job: cancelled, or still running until its process is stopped")
    public JobView cancel(@PathParam("id") long id) {
        JobView v = jobs.cancel(id, identity.getPrincipal().getName());
        if (v.cancelRequested()) workers.cancelLocally(id);
        return v;
    }

    @POST
    @PermissionsAllowed(Permission.ARTIFACTS_CREATE)
    @Path("/{id}/retry")
    @Operation(summary = "Run a failed or cancelled conversion job again, with all its attempts")
    @APIResponse(responseCode = "409", description = "Only failed or cancelled jobs run again")
    @APIResponseSchema(value = JobView.class, responseCode = "200", responseDescription = "The job, queued again")
    public JobView retry(@PathParam("id") long id) {
        JobView v = jobs.retry(id, identity.getPrincipal().getName());
        workers.wake();
        return v;
    }
}
