package dev.modelyard.server.artifact;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.storage.Digests;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SHA-256 a client says its upload has: from an RFC 9530 {@code Content-Digest} header
 * ({@code sha-256=:<base64>:}) or a {@code sha256=<hex>} / {@code digest=sha256:<hex>} parameter.
 */
public final class ExpectedDigest {

    private static final Pattern SHA256_MEMBER = Pattern.compile("(?:^|,)\\s*sha-256\\s*=\\s*:([A-Za-z0-9+/=]*):");

    private ExpectedDigest() {
    }

    /** Combines the sources a request may use; they must agree. Empty when none is given. */
    public static Optional<String> from(String contentDigestHeader, String sha256Hex) {
        Optional<String> header = fromContentDigest(contentDigestHeader);
        Optional<String> param = fromHex(sha256Hex, "sha256");
        if (header.isPresent() && param.isPresent() && !header.get().equals(param.get())) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "Content-Digest", "Content-Digest and the sha256 parameter name different digests");
        }
        return header.or(() -> param);
    }

    static Optional<String> fromContentDigest(String header) {
        if (header == null || header.isBlank()) return Optional.empty();
        Matcher m = SHA256_MEMBER.matcher(header.toLowerCase(Locale.ROOT).startsWith("sha-256") ? header : header);
        if (!m.find()) {
            // RFC 9530 lets a recipient ignore algorithms it does not support, but a client that sends
            // only those probably expects a check; say so rather than skip it silently.
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "Content-Digest", "Content-Digest: only sha-256 is supported, as sha-256=:<base64>:");
        }
        try {
            return Optional.of(Digests.base64ToHex(m.group(1)));
        } catch (IllegalArgumentException e) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "Content-Digest", "Content-Digest: sha-256 value is not a base64 SHA-256 digest: " + e.getMessage());
        }
    }

    /** Accepts {@code <hex>} or {@code sha256:<hex>} (the OCI digest form). */
    public static Optional<String> fromHex(String value, String field) {
        if (value == null || value.isBlank()) return Optional.empty();
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("sha256:")) v = v.substring(7);
        if (!Digests.isSha256Hex(v)) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, field, field + ": expected 64 hex digits of SHA-256 (optionally prefixed 'sha256:')");
        }
        return Optional.of(v);
    }
}
