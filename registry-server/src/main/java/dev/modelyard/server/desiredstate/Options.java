package dev.modelyard.server.desiredstate;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.util.regex.Pattern;

/**
 * How a manifest set is planned or applied. {@code source} names who manages the objects ({@code cli},
 * {@code git:<name>} of the git sync); prune deletes only the objects of the same source that the set no
 * longer has. {@code revision}: where the set came from (a commit), recorded with each object.
 */
public record Options(boolean prune, String source, String revision) {

    public static final String CLI = "cli";
    /** The prefix of the git sync's sources ({@code git:<name>}): objects of such a source belong to it alone. */
    public static final String GIT = "git:";
    private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,255}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/+-]{0,127}");

    public static boolean isGit(String source) {
        return source != null && source.startsWith(GIT);
    }

    public Options {
        if (source == null || source.isBlank()) source = CLI;
        if (!SOURCE.matcher(source).matches()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "source", "source: letters, digits and . _ : @ / + -, at most 256 characters");
        }
        if (revision != null && !REVISION.matcher(revision).matches()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "revision", "revision: letters, digits and . _ : / + -, at most 128 characters");
        }
    }
}
