package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import java.util.Map;

/**
 * What to do about a refusal, by its stable problem code: the server's detail says what is wrong,
 * the hint what the user can do next from the command line.
 */
final class Hints {

    private static final Map<String, String> BY_CODE = Map.ofEntries(
            Map.entry("unauthorized", "check the API token: 'modelyard login' again, or --token-file / $" + Remote.TOKEN_ENV),
            Map.entry("tenant-disabled", "the tenant is disabled; ask a platform admin"),
            Map.entry("forbidden", "the token's role lacks the permission; ask an admin for a token with it ('modelyard tokens create')"),
            Map.entry("permission-not-held", "the token's role lacks the permission; ask an admin for a token with it ('modelyard tokens create')"),
            Map.entry("out-of-scope", "the token is confined to other models; use a token whose scope covers this one"),
            Map.entry("tenant-mismatch", "the token belongs to another tenant: check the context's tenant ('modelyard context show')"),
            Map.entry("self-approval", "someone other than the rollout's creator must approve it"),
            Map.entry("not-found", "check the name ('modelyard ls')"),
            Map.entry("model-not-found", "check the model's name ('modelyard ls'), or create it ('modelyard push --create-version')"),
            Map.entry("version-not-found", "check the version ('modelyard ls MODEL'), or create it ('modelyard push --create-version')"),
            Map.entry("alias-not-found", "list the model's aliases ('modelyard ls MODEL')"),
            Map.entry("artifact-not-found", "list the version's artifacts ('modelyard ls MODEL VERSION')"),
            Map.entry("device-not-found", "list the devices ('modelyard devices ls')"),
            Map.entry("rollout-not-found", "list the rollouts ('modelyard rollout ls')"),
            Map.entry("git-source-not-found", "list the git sources ('modelyard git-source ls')"),
            Map.entry("upload-not-found", "the upload expired or was finished; push again without --resume"),
            Map.entry("conflict", "the object changed meanwhile or is in a state that forbids this; look at it ('modelyard describe') and retry"),
            Map.entry("already-exists", "it exists already: use another name or version, or change the existing one"),
            Map.entry("version-not-draft", "released versions never change: push to a new version (--create-version)"),
            Map.entry("version-immutable", "released versions never change: push to a new version (--create-version)"),
            Map.entry("version-not-publishable", "a version needs at least one artifact before it is published ('modelyard push')"),
            Map.entry("version-not-deployable", "publish the version first ('modelyard publish MODEL VERSION')"),
            Map.entry("target-taken", "the version has a file for this target already: use another target or a new version"),
            Map.entry("rollout-state", "the rollout's state does not allow this now ('modelyard rollout status ID')"),
            Map.entry("already-finished", "it has finished already; nothing to do"),
            Map.entry("concurrent-request", "another request is working on it; retry in a moment"),
            Map.entry("upload-offset-mismatch", "push again with --resume: it asks the server where to continue"),
            Map.entry("digest-mismatch", "the bytes changed on the way or the file changed while it was sent: push again"),
            Map.entry("invalid-model", "the file is not a model the runtime can load; check the export"),
            Map.entry("invalid-filter", "check the filter's syntax: selector==value, ; for and, , for or (e.g. tag==lab;attribute.arch==aarch64)"),
            Map.entry("rate-limited", "too many requests: wait a moment and retry"),
            Map.entry("too-many-uploads", "too many uploads in progress with this token: wait for them, or retry later"),
            Map.entry("storage-full", "the server's storage is full; ask its operator"),
            Map.entry("unavailable", "the server is busy or starting: retry in a moment"),
            Map.entry("database-unavailable", "the server's database is unavailable: retry in a moment"));

    private Hints() {
    }

    /** The hint for a refusal, or null when there is nothing useful to add. */
    static String of(ApiProblemException e) {
        String code = e.code();
        if (code == null) return e.status() == 401 ? BY_CODE.get("unauthorized") : e.status() == 403 ? BY_CODE.get("forbidden") : null;
        String named = e.field() != null ? e.field() : e.parameter();
        if (code.startsWith("invalid-") || code.startsWith("missing-") || code.startsWith("unknown-")) {
            String fixed = BY_CODE.get(code);
            if (fixed != null) return fixed;
            return named != null ? "fix '" + named + "'" + (e.problem().accepted() == null ? "" : "; accepted: "
                    + String.join(", ", e.problem().accepted())) : "check the command's arguments (--help)";
        }
        return BY_CODE.get(code);
    }
}
