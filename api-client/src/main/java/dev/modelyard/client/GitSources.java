package dev.modelyard.client;

import java.time.Instant;
import java.util.List;

/**
 * GitOps sources ({@code /api/v1/git-sources}): git repositories whose manifests the server keeps
 * the tenant converged to. Each source has its settings (secrets only by reference, never their
 * values), the status of its last sync attempt with the errors of a bad commit (file, line,
 * column), the drift found in the objects it manages, and those objects with the commit each came
 * from. Fields left null in a request are not sent, so the server applies its defaults.
 */
public final class GitSources extends Area {

    /**
     * How the server authenticates to the repository: a user name and where the password or token
     * is ({@code env:NAME} or {@code file:/run/secrets/gitsync/fleet-token}); the value itself never travels.
     */
    public record Credentials(String username, String passwordRef) {
    }

    /**
     * A source as created or changed.
     *
     * @param url              https://, http:// or file:// address of the repository
     * @param path             the folder of the repository whose manifests count (null: the root)
     * @param interval         how often to look for a new commit, e.g. {@code 1m} (at least 10 s)
     * @param driftPolicy      {@code revert} or {@code flag}: what to do with a managed object changed outside git
     * @param prune            delete objects this source manages that the commit no longer declares
     * @param webhookSecretRef where the webhook's HMAC secret is ({@code env:NAME} or {@code file:...})
     * @param role             the role whose permissions the sync acts with (the creator must hold them all)
     */
    public record GitSourceBody(String name, String url, String branch, String path, String interval, Credentials credentials,
                                String driftPolicy, Boolean prune, String webhookSecretRef, String role) {

        /** A source of {@code url}'s {@code branch}, acting with {@code role}; the rest the server's defaults. */
        public static GitSourceBody of(String name, String url, String branch, String role) {
            return new GitSourceBody(name, url, branch, null, null, null, null, null, null, role);
        }

        public GitSourceBody path(String path) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }

        public GitSourceBody interval(String interval) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }

        public GitSourceBody driftPolicy(String driftPolicy) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }

        public GitSourceBody prune(boolean prune) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }

        public GitSourceBody credentials(Credentials credentials) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }

        public GitSourceBody webhookSecretRef(String ref) {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, ref, role);
        }
    }

    /** One problem of a commit's manifests, where it is: {@code file} is a path inside the repository. */
    public record SyncError(String file, Integer line, Integer column, String path, String message) {

        /** {@code file:line:col: message}, or just the message when the error is not in a file (e.g. a fetch). */
        @Override
        public String toString() {
            if (file == null) return message;
            return file + (line == null ? "" : ":" + line + (column == null ? "" : ":" + column)) + ": " + message;
        }
    }

    /**
     * The last sync attempt.
     *
     * @param commit  the commit it read (null when the fetch itself failed)
     * @param outcome {@code applied}, {@code unchanged}, {@code drift-reverted}, {@code drift-flagged} or {@code failed}
     * @param message what it did ("2 created, 1 updated") or why it failed, in words
     */
    public record Attempt(String commit, Instant at, String outcome, String message, List<SyncError> errors) {

        public boolean failed() {
            return "failed".equals(outcome);
        }

        /** The errors, empty when there are none. */
        public List<SyncError> errorsOrEmpty() {
            return errors == null ? List.of() : errors;
        }
    }

    /**
     * A managed object that differs from its commit's manifest: the fields that differ, {@code from}
     * the server's value {@code to} git's; {@code action} is what applying git would do (update, create).
     */
    public record Drift(String kind, String name, String action, List<Manifests.Difference> differences) {
    }

    /** An object the commit declares that another source manages: left alone, with the reason. */
    public record Conflict(String kind, String name, String note) {
    }

    /**
     * A source as the server shows it.
     *
     * @param status           {@code pending} (never synced), {@code synced} or {@code failed} (the last attempt)
     * @param lastSyncedCommit the last commit applied; it stays after a failed attempt
     * @param managedObjects   how many objects it manages
     * @param webhookPath      where the webhook is ({@code /hooks/git/<tenant>/<name>}, signed with the webhook secret)
     */
    public record GitSource(String name, String url, String branch, String path, String interval, Credentials credentials,
                            String webhookSecretRef, String webhookPath, String driftPolicy, Boolean prune, String role,
                            Instant createdAt, String createdBy, Instant updatedAt, String status, String lastSyncedCommit,
                            Instant lastSyncedAt, Attempt lastAttempt, List<Drift> drift, List<Conflict> conflicts,
                            Long managedObjects, Instant nextSyncAt) {

        /** The drift list, empty when there is none. */
        public List<Drift> driftOrEmpty() {
            return drift == null ? List.of() : drift;
        }

        /** The conflicts, empty when there are none. */
        public List<Conflict> conflictsOrEmpty() {
            return conflicts == null ? List.of() : conflicts;
        }

        /** The settings as a request body, e.g. to change some of them with {@link #update}. */
        public GitSourceBody settings() {
            return new GitSourceBody(name, url, branch, path, interval, credentials, driftPolicy, prune, webhookSecretRef, role);
        }
    }

    /** An object the source manages and the commit it was last applied from. */
    public record ManagedObject(String kind, String name, String revision, Instant appliedAt) {
    }

    GitSources(Transport t) {
        super(t);
    }

    public Page<GitSource> list(Integer page, Integer size) {
        return t.page(Query.path("/api/v1/git-sources").page(page, size), GitSource.class);
    }

    public GitSource get(String name) {
        return t.get(Query.path("/api/v1/git-sources/{}", name), GitSource.class);
    }

    public GitSource create(GitSourceBody source) {
        return t.call("POST", "/api/v1/git-sources", source, GitSource.class);
    }

    /**
     * Replaces the source's definition (its name stays; {@code name} in the body is not sent): optional
     * fields left null take their defaults, so change a few with {@code get(name).settings()} and its withers.
     * Its status and objects stay.
     */
    public GitSource update(String name, GitSourceBody source) {
        GitSourceBody body = new GitSourceBody(null, source.url(), source.branch(), source.path(), source.interval(), source.credentials(),
                source.driftPolicy(), source.prune(), source.webhookSecretRef(), source.role());
        return t.call("PUT", Query.path("/api/v1/git-sources/{}", name), body, GitSource.class);
    }

    /** Deletes the source; the objects it managed stay, no longer managed by it. */
    public void delete(String name) {
        t.delete(Query.path("/api/v1/git-sources/{}", name));
    }

    /**
     * Asks for a sync now (202): the answer is the source as it was before the pass, which runs on; the
     * pass is done when {@code get(name).lastAttempt().at()} has moved past the answer's.
     */
    public GitSource sync(String name) {
        return t.call("POST", Query.path("/api/v1/git-sources/{}/sync", name), null, GitSource.class);
    }

    public Page<ManagedObject> objects(String name, Integer page, Integer size) {
        return t.page(Query.path("/api/v1/git-sources/{}/objects", name).page(page, size), ManagedObject.class);
    }
}
