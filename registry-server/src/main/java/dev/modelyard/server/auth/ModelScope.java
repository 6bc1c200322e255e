package dev.modelyard.server.auth;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A token's scope: a glob over model names ({@code *} any run of characters, {@code ?} one), e.g.
 * {@code vision-*}. A scoped token reaches only the model catalogue ({@value #CATALOGUE}), and there
 * only models whose names match: the others are absent for it (404, and missing from the model list).
 * Every other operation answers it 403 {@code out-of-scope}, since devices, deployments, conversion
 * jobs, the hawkBit API and the administration reach models of any name. {@link ModelScopeFilter}
 * enforces the paths, {@link #likePattern()} the model list and {@link #requireWithin} a new model's name.
 */
@ApplicationScoped
public class ModelScope {

    /** Where a scoped token may go: the model catalogue, with its versions, aliases, artifacts, uploads and conversions. */
    public static final String CATALOGUE = "/api/v1/models";
    private static final Pattern GLOB = Pattern.compile("[a-z0-9._*?-]{1,63}");

    private final CurrentIdentityAssociation identities;

    public ModelScope(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** The caller's scope; empty for an unscoped token and outside a request. */
    public Optional<String> current() {
        if (!Arc.container().requestContext().isActive()) return Optional.empty();
        SecurityIdentity identity = identities.getIdentity();
        Object scope = identity == null ? null : identity.getAttribute(TokenIdentityProvider.SCOPE_ATTRIBUTE);
        return scope instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** Whether the caller may see the model of that name. */
    public boolean allows(String model) {
        return current().map(glob -> matches(glob, model)).orElse(true);
    }

    /** Refuses a new model's name outside the caller's scope (before anything reveals whether it exists). */
    public void requireWithin(String model) {
        current().filter(glob -> !matches(glob, model)).ifPresent(glob -> {
            throw DomainException.of(ErrorCode.OUT_OF_SCOPE, "name: this token is scoped to models named '" + glob + "'");
        });
    }

    /** The caller's scope as a SQL LIKE pattern (escape character {@code \}); empty when unscoped. */
    public Optional<String> likePattern() {
        return current().map(ModelScope::toLike);
    }

    /** Checks a scope given for a new token; null (no scope) passes. */
    public static String validate(String field, String glob) {
        if (glob != null && !GLOB.matcher(glob).matches()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": '" + glob
                    + "' is not a model name pattern: up to 63 of a-z 0-9 . _ - with * (any run) and ? (one character)");
        }
        return glob;
    }

    public static boolean matches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return name != null && name.matches(regex.toString());
    }

    static String toLike(String glob) {
        StringBuilder like = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> like.append('%');
                case '?' -> like.append('_');
                case '%', '_', '\\' -> like.append('\\').append(c);
                default -> like.append(c);
            }
        }
        return like.toString();
    }
}
