package dev.modelyard.server.gitsync;

import java.util.List;

/**
 * A pass that could not apply its commit for a reason of the sync itself (the fetch, a credential
 * reference, a repository too large, a manifest file too large): reported in the source's status like
 * an invalid manifest, never thrown out of a pass.
 */
final class SyncFailure extends RuntimeException {

    private final transient List<GitSourceApi.SyncError> errors;

    SyncFailure(String message) {
        this(message, List.of(new GitSourceApi.SyncError(null, null, null, null, message)));
    }

    SyncFailure(String message, List<GitSourceApi.SyncError> errors) {
        super(message, null, false, false);
        this.errors = errors;
    }

    List<GitSourceApi.SyncError> errors() {
        return errors;
    }
}
