package dev.modelyard.server.gitsync;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * References to secrets: {@code env:NAME} (an environment variable of the server) or {@code file:/path}
 * (e.g. a mounted Kubernetes secret). Only references are stored and shown; the value is read when a
 * pass needs it, so rotating a secret needs no API call, and the database and the audit trail never
 * hold one.
 * <p>
 * A reference may name only what the operator set aside for git sources: variables whose name starts
 * with {@code secret-env-prefix}, files inside {@code secret-dir}. Otherwise a tenant's administrator
 * could point a source at a repository of their own with the server's database password or admin
 * token as its "password", and the fetch would send it there.
 */
@ApplicationScoped
class SecretRefs {

    private static final Pattern ENV = Pattern.compile("env:[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern FILE = Pattern.compile("file:/[^\\x00-\\x1f]{1,1023}");
    /** Secrets are short; a larger file is a wrong reference, not a secret. */
    private static final long MAX_BYTES = 64 * 1024;

    private final GitSyncConfig config;

    SecretRefs(GitSyncConfig config) {
        this.config = config;
    }

    /** Checks a reference given in a body: null passes, anything else must be {@code env:NAME} or {@code file:/path} set aside for git sources. */
    String validate(String field, String ref) {
        if (ref == null) return null;
        if (ENV.matcher(ref).matches()) {
            String prefix = config.secretEnvPrefix();
            if (!ref.substring("env:".length()).startsWith(prefix)) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": environment variables of git sources are named "
                        + prefix + "… on this server (modelyard.gitsync.secret-env-prefix)");
            }
            return ref;
        }
        if (FILE.matcher(ref).matches()) {
            Path file = Path.of(ref.substring("file:".length()));
            if (!file.equals(file.normalize()) || !file.startsWith(secretDir())) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": secret files of git sources are inside "
                        + secretDir() + " on this server (modelyard.gitsync.secret-dir), named by a normalized absolute path");
            }
            return ref;
        }
        throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": a reference to the secret, not the secret: "
                + "env:NAME (an environment variable of the server) or file:/absolute/path");
    }

    /** The secret's value now; a reference that does not resolve is a {@link SyncFailure} naming the reference, not the value. */
    String resolve(String what, String ref) {
        // checked again: the operator may have narrowed what references may name since the source was saved
        try {
            validate(what, ref);
        } catch (DomainException e) {
            throw new SyncFailure(e.detail());
        }
        if (ref.startsWith("env:")) {
            String value = System.getenv(ref.substring("env:".length()));
            if (value == null || value.isEmpty()) throw new SyncFailure(what + ": " + ref + " is not set in the server's environment");
            return value;
        }
        Path file = Path.of(ref.substring("file:".length()));
        try {
            if (!Files.isRegularFile(file)) throw new SyncFailure(what + ": " + ref + " is not a readable file on the server");
            // a link inside the folder must not lead out of it
            if (!file.toRealPath().startsWith(secretDir().toRealPath())) throw new SyncFailure(what + ": " + ref + " leads outside " + secretDir());
            if (Files.size(file) > MAX_BYTES) throw new SyncFailure(what + ": " + ref + " is larger than a secret can be");
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) throw new SyncFailure(what + ": " + ref + " is empty");
            return value;
        } catch (IOException e) {
            throw new SyncFailure(what + ": " + ref + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Path secretDir() {
        return config.secretDir().toAbsolutePath().normalize();
    }
}
