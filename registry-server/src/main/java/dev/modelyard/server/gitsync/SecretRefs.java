package dev.modelyard.server.gitsync;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * References to secrets: {@code env:NAME} (an environment variable of the server) or {@code file:/path}
 * (an absolute path, e.g. a mounted Kubernetes secret). Only references are stored and shown; the value
 * is read when a pass needs it, so rotating a secret needs no API call, and the database and the
 * audit trail never hold one.
 */
final class SecretRefs {

    private static final Pattern ENV = Pattern.compile("env:[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern FILE = Pattern.compile("file:/[^\\x00-\\x1f]{1,1023}");
    /** Secrets are short; a larger file is a wrong reference, not a secret. */
    private static final long MAX_BYTES = 64 * 1024;

    private SecretRefs() {
    }

    /** Checks a reference given in a body: null passes, anything else must be {@code env:NAME} or {@code file:/path}. */
    static String validate(String field, String ref) {
        if (ref == null) return null;
        if (!ENV.matcher(ref).matches() && !FILE.matcher(ref).matches()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": a reference to the secret, not the secret: "
                    + "env:NAME (an environment variable of the server) or file:/absolute/path");
        }
        if (ref.startsWith("file:") && Path.of(ref.substring("file:".length())).normalize().toString().contains("..")) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": the file path must be absolute and normalized");
        }
        return ref;
    }

    /** The secret's value now; a reference that does not resolve is a {@link SyncFailure} naming the reference, not the value. */
    static String resolve(String what, String ref) {
        if (ref.startsWith("env:")) {
            String value = System.getenv(ref.substring("env:".length()));
            if (value == null || value.isEmpty()) throw new SyncFailure(what + ": " + ref + " is not set in the server's environment");
            return value;
        }
        Path file = Path.of(ref.substring("file:".length()));
        try {
            if (!Files.isRegularFile(file)) throw new SyncFailure(what + ": " + ref + " is not a readable file on the server");
            if (Files.size(file) > MAX_BYTES) throw new SyncFailure(what + ": " + ref + " is larger than a secret can be");
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) throw new SyncFailure(what + ": " + ref + " is empty");
            return value;
        } catch (IOException e) {
            throw new SyncFailure(what + ": " + ref + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
