package dev.modelyard.server.desiredstate;

import dev.modelyard.manifests.ManifestReader;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Plan and apply of declarative manifests. Any valid token may call; what it may plan and apply is
 * checked per kind and per change against its permissions (the same ones the kinds' own endpoints need).
 */
@Path("/api/v1/manifests")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiDocumentation.MANIFESTS)
public class ManifestResource {

    /** At most this many files per request (a repository's manifests, not a fleet's devices). */
    static final int MAX_DOCUMENTS = 500;
    static final int MAX_CONTENT = 1 << 20;

    private final DesiredStateService service;
    private final SecurityIdentity identity;
    private final TenantContext tenants;

    public ManifestResource(DesiredStateService service, SecurityIdentity identity, TenantContext tenants) {
        this.service = service;
        this.identity = identity;
        this.tenants = tenants;
    }

    /** One manifest file: its name (as errors show it) and its YAML text (one or more documents). */
    public record Document(String file, String content) {
    }

    /**
     * @param source   who manages the objects: {@code cli} when absent; {@code git:…} is reserved for the server's git sync
     * @param revision where the set came from (e.g. a commit), recorded with each object
     */
    public record ManifestRequest(List<Document> documents,
                                  @Schema(description = "Delete objects of the same source that the documents no longer declare (default false)")
                                  Boolean prune,
                                  @Schema(description = "Who manages the objects (default `cli`); `git:` sources are the git sync's") String source,
                                  @Schema(description = "Where the documents came from, e.g. a commit; recorded with each object") String revision) {
    }

    public record ApplyResult(@Schema(description = "Whether anything changed") boolean changed, Plan plan) {
    }

    @POST
    @Path("/plan")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Plan a manifest set: what apply would change",
            description = "Each object with its action (create, update, delete with prune, unchanged, conflict), the fields that differ, "
                    + "and for a rollout how many devices its group or filter matches now. Needs the read permission of each kind involved.")
    @APIResponseSchema(value = Plan.class, responseCode = "200", responseDescription = "The plan; nothing was changed")
    @APIResponse(responseCode = "403", description = "The token lacks the read permission of a kind involved (forbidden)")
    @APIResponse(responseCode = "422", description = "A manifest is invalid or names what does not exist (invalid-manifest); "
            + "`errors` lists each problem with file, line, column and path")
    public Plan plan(ManifestRequest body) {
        return service.plan(tenants.current(), documents(body), options(body), actor());
    }

    @POST
    @Path("/apply")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Apply a manifest set",
            description = "Plans, checks the token holds every change's permission, then makes every change in one transaction "
                    + "through the owning services: all or nothing. Idempotent: applying the same set again changes nothing. "
                    + "Conflicts (a running rollout that differs, a model with releases to prune) are left alone and reported in the plan.")
    @APIResponseSchema(value = ApplyResult.class, responseCode = "200", responseDescription = "What was done")
    @APIResponse(responseCode = "403", description = "The token lacks a permission one of the changes needs (forbidden); nothing changed")
    @APIResponse(responseCode = "409", description = "A change collided with a concurrent one, or a service refused it in a state "
            + "the plan could not foresee; nothing changed")
    @APIResponse(responseCode = "422", description = "A manifest is invalid or names what does not exist (invalid-manifest); "
            + "`errors` lists each problem with file, line, column and path; nothing changed")
    public ApplyResult apply(ManifestRequest body) {
        DesiredStateService.Applied applied = service.apply(tenants.current(), documents(body), options(body), actor());
        return new ApplyResult(applied.changed(), applied.plan());
    }

    private Actor actor() {
        return new Actor(identity.getPrincipal().getName(), p -> Permission.held(identity, p));
    }

    private static Options options(ManifestRequest body) {
        if (body.source() != null && Options.isGit(body.source())) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "source", "source: 'git:' sources belong to the server's git sync");
        }
        return new Options(Boolean.TRUE.equals(body.prune()), body.source(), body.revision());
    }

    private static List<ManifestReader.Source> documents(ManifestRequest body) {
        if (body == null || body.documents() == null || body.documents().isEmpty()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "documents", "documents: at least one {file, content} is required");
        }
        if (body.documents().size() > MAX_DOCUMENTS) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "documents", "documents: at most " + MAX_DOCUMENTS + " files");
        }
        List<ManifestReader.Source> out = new java.util.ArrayList<>();
        for (int i = 0; i < body.documents().size(); i++) {
            Document d = body.documents().get(i);
            String at = "documents[" + i + "]";
            if (d == null || d.file() == null || d.file().isBlank()) {
                throw DomainException.field(ErrorCode.MISSING_FIELD, at + ".file", at + ".file: required (the file's name, as errors show it)");
            }
            if (d.content() == null) throw DomainException.field(ErrorCode.MISSING_FIELD, at + ".content", at + ".content: required");
            if (d.content().length() > MAX_CONTENT) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".content", at + ".content: at most " + MAX_CONTENT + " characters");
            }
            out.add(new ManifestReader.Source(d.file(), d.content()));
        }
        return out;
    }
}
