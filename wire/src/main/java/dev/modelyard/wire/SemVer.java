package dev.modelyard.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Semantic Versioning 2.0.0 version. Ordering follows the specification: build metadata is
 * ignored, a pre-release sorts before its release, numeric identifiers compare numerically.
 */
public record SemVer(long major, long minor, long patch, String preRelease, String build)
        implements Comparable<SemVer> {

    // The regular expression published with the SemVer 2.0.0 specification.
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");
    private static final int MAX_LENGTH = 128;

    public SemVer {
        preRelease = preRelease == null ? "" : preRelease;
        build = build == null ? "" : build;
    }

    /** Parses {@code text}, throwing {@link IllegalArgumentException} with a readable reason. */
    public static SemVer parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("version must not be empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("version is longer than " + MAX_LENGTH + " characters");
        }
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a semantic version (expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], e.g. 1.4.0)");
        }
        try {
            return new SemVer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)), m.group(4), m.group(5));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version number in '" + text + "' is too large");
        }
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) c = Long.compare(minor, o.minor);
        if (c == 0) c = Long.compare(patch, o.patch);
        if (c == 0) c = comparePreRelease(preRelease, o.preRelease);
        return c;
    }

    private static int comparePreRelease(String a, String b) {
        if (a.equals(b)) return 0;
        if (a.isEmpty()) return 1;
        if (b.isEmpty()) return -1;
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = compareIdentifier(x[i], y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }

    private static int compareIdentifier(String a, String b) {
        boolean an = a.chars().allMatch(Character::isDigit);
        boolean bn = b.chars().allMatch(Character::isDigit);
        if (an && bn) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (an) return -1;
        if (bn) return 1;
        return a.compareTo(b);
    }

    /**
     * A string whose byte order (SQL {@code COLLATE "C"}) is the version's precedence: zero-padded
     * numbers; then '~' for a release, so it sorts after its pre-releases ('-'); pre-release
     * identifiers padded when numeric, prefixed with '~' when not (numeric ones sort first), and
     * joined with '!', which sorts below every identifier character so a shorter identifier
     * sorts first as the specification says.
     */
    public String sortKey() {
        String base = String.format("%012d.%012d.%012d", major, minor, patch);
        if (preRelease.isEmpty()) {
            return base + "~";
        }
        List<String> parts = new ArrayList<>();
        for (String id : preRelease.split("\\.")) {
            parts.add(id.chars().allMatch(Character::isDigit) ? String.format("%012d", Long.parseLong(id)) : "~" + id);
        }
        return base + "-" + String.join("!", parts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
        if (!preRelease.isEmpty()) sb.append('-').append(preRelease);
        if (!build.isEmpty()) sb.append('+').append(build);
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SemVer s && compareTo(s) == 0 && Objects.equals(build, s.build);
    }

    @Override
    public int hashCode() {
        return Objects.hash(major, minor, patch, preRelease, build);
    }
}
