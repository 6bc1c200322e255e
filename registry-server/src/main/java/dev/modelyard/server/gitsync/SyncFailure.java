package dev.modelyard.server.gitsync;

import java.util.List;

/**
 * A pass that could not apply its commit for a reason of the sync itself (the fetch, a credential
 * reference, a repository too large, a manifest file too large): reported in the source's status like
 * an invalid manifest, never thrown out of a pass.
 */
final class SyncFailure extends RuntimeException {

    private final transient List<GitSourceApi.SyncError> errors;
    /** The commit the failure is about, when it is known (a folder missing from it, a file too large in it). */
    private final String commit;

    SyncFailure(String message) {
        this(message, List.of(new GitSourceApi.SyncError(null, null, null, null, message)));
    }

    SyncFailure(String message, List<GitSourceApi.SyncError> errors) {
        this(message, errors, null);
    }

    private SyncFailure(String message, List<GitSourceApi.SyncError> errors, String commit) {
        super(message, null, false, false);
        this.errors = errors;
        this.commit = commit;
    }

    /** The same failure, about that commit. */
    SyncFailure at(String commit) {
        return new SyncFailure(getMessage(), errors, commit);
    }

    String commit() {
        return commit;
    }

    List<GitSourceApi.SyncError> errors() {
        return errors;
    }
}
