package dev.modelyard.server.deployment;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.http.ApiDocumentation;
import io.quarkus.security.PermissionsAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The bytes a version's deployments put on the wire, as its devices reported them. */
@Path("/api/v1/models/{model}/versions/{version}/transfers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.ACTIONS)
public class VersionTransferResource {

    private final VersionTransfers transfers;

    public VersionTransferResource(VersionTransfers transfers) {
        this.transfers = transfers;
    }

    @GET
    @PermissionsAllowed(Permission.DEPLOYMENTS_READ)
    @Operation(summary = "The transfer totals of a version's actions",
            description = "What the devices that reported how they got this version's payload (Modelyard's updater) "
                    + "downloaded, against what full downloads would have cost, summed over all the version's actions: "
                    + "plain deployments and rollouts alike. One action's figures are its transfer; a rollout's, its transfer.")
    @APIResponse(responseCode = "200", description = "The totals (reported 0 while no device reported)")
    @APIResponse(responseCode = "404", description = "No such model or version")
    public DeploymentApi.TransferTotals get(@PathParam("model") String model, @PathParam("version") String version) {
        return transfers.of(model, version);
    }
}
