package dev.modelyard.server.gitsync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The git source API's bodies. Secrets appear only as references ({@code env:NAME}, {@code file:/path}), never as values. */
public final class GitSourceApi {

    private GitSourceApi() {
    }

    /** How the sync signs in to the repository: a user name and a reference to the password or access token. */
    public record Credentials(String username,
                              @Schema(description = "Where the password or access token is: `env:NAME` (an environment variable of the "
                                      + "server) or `file:/path` (e.g. a mounted secret). The value is read when a pass runs, never stored.")
                              String passwordRef) {
    }

    /** A source as created or replaced (PUT: the same without {@code name}; fields left out take their defaults). */
    public record SourceBody(
            @Schema(description = "Lower-case letters, digits, . _ -; at most 63 characters") String name,
            @Schema(description = "The repository: https://, http:// or file:// (no ssh, no git://)") String url,
            @Schema(description = "The branch to follow (default `main`)") String branch,
            @Schema(description = "The folder inside the repository whose *.yaml and *.yml files are the manifests (default: the root)")
            String path,
            @Schema(description = "How often to look for a new commit and for drift: `30s`, `5m`, `1h`, `PT1M` (default `1m`, at least 10s)")
            String interval,
            Credentials credentials,
            @Schema(description = "Reference to the webhook's HMAC secret (`env:NAME` or `file:/path`); without it the webhook is refused")
            String webhookSecretRef,
            @Schema(description = "What to do when a managed object was changed through the API or console: `revert` it to the "
                    + "repository's state, or `flag` it in `drift` and leave it (default `flag`)") String driftPolicy,
            @Schema(description = "Delete objects this source made that the repository no longer declares (default false)") Boolean prune,
            @Schema(description = "The role (built-in or this tenant's) whose permissions the sync acts with; "
                    + "the caller must hold every one of them") String role) {
    }

    /** One problem of a pass: a manifest's at file, line and column (repository-relative), or one of the pass itself. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyncError(String file, Integer line, Integer column, String path, String message) {
    }

    /** The last pass: which commit, when, how it ended. */
    public record Attempt(@Schema(description = "The commit the pass saw; absent when the fetch failed") String commit,
                          Instant at,
                          @Schema(description = "`applied`, `unchanged`, `drift-reverted`, `drift-flagged` or `failed`") String outcome,
                          @Schema(description = "What the pass did, or why it failed, in a sentence") String message,
                          List<SyncError> errors) {
    }

    /** A difference of one field: the server's value ({@code from}) and the repository's ({@code to}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Difference(String path, JsonNode from, JsonNode to) {
    }

    /** A git-managed object that was changed outside git: what converging would do to it. */
    public record Drift(String kind, String name, @Schema(description = "`create` (it was deleted), `update` or `delete`") String action,
                        List<Difference> differences) {
    }

    /** An object the repository declares that the sync leaves alone, and why (e.g. a running rollout). */
    public record Conflict(String kind, String name, String note) {
    }

    public record SourceView(String name, String url, String branch, String path, String interval, Credentials credentials,
                             String webhookSecretRef,
                             @Schema(description = "Where the repository's host posts push events (no API token: HMAC-signed)")
                             String webhookPath,
                             String driftPolicy, boolean prune, String role, Instant createdAt, String createdBy, Instant updatedAt,
                             @Schema(description = "`pending` (no pass ended yet), `synced` or `failed` (the last commit could not be applied)")
                             String status,
                             @Schema(description = "The last commit applied in full") String lastSyncedCommit,
                             Instant lastSyncedAt,
                             Attempt lastAttempt,
                             List<Drift> drift,
                             List<Conflict> conflicts,
                             @Schema(description = "How many objects this source manages") long managedObjects,
                             @Schema(description = "When the next pass is due (a sync asked for runs at once)") Instant nextSyncAt) {
    }

    /** An object the source manages, and the commit it was last applied from. */
    public record ManagedObject(String kind, String name, @Schema(description = "The commit SHA") String revision, Instant appliedAt) {
    }
}
