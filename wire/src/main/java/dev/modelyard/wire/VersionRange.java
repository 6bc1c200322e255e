package dev.modelyard.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runtime version requirement such as {@code >=1.17}, {@code >=1.17,<2} or {@code =1.18.1}:
 * comma-separated comparators that must all hold. Versions are dotted numbers; missing parts
 * count as zero, so {@code >=1.17} accepts {@code 1.17.0} and {@code 1.20.3}.
 */
public final class VersionRange {

    private static final Pattern COMPARATOR = Pattern.compile("^(>=|<=|>|<|=)?(\\d{1,6}(?:\\.\\d{1,6}){0,3})$");

    private record Comparator(String op, int[] version) {
        boolean accepts(int[] v) {
            int c = compare(v, version);
            return switch (op) {
                case ">=" -> c >= 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case "<" -> c < 0;
                default -> c == 0;
            };
        }
    }

    private final String text;
    private final List<Comparator> comparators;

    private VersionRange(String text, List<Comparator> comparators) {
        this.text = text;
        this.comparators = comparators;
    }

    public static VersionRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("version range must not be empty");
        }
        List<Comparator> list = new ArrayList<>();
        for (String part : text.split(",")) {
            Matcher m = COMPARATOR.matcher(part.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + part.strip()
                        + "' is not a version comparator (expected e.g. >=1.17 or <2.0)");
            }
            list.add(new Comparator(m.group(1) == null ? "=" : m.group(1), numbers(m.group(2))));
        }
        return new VersionRange(text.strip(), List.copyOf(list));
    }

    /** True when {@code version} (dotted numbers, an optional suffix after '-' or '+' is ignored) satisfies every comparator. */
    public boolean contains(String version) {
        String core = version.split("[-+]", 2)[0];
        if (!core.matches("\\d{1,6}(\\.\\d{1,6}){0,3}")) {
            return false;
        }
        int[] v = numbers(core);
        return comparators.stream().allMatch(c -> c.accepts(v));
    }

    private static int[] numbers(String dotted) {
        String[] parts = dotted.split("\\.");
        int[] out = new int[4];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 4; i++) {
            int c = Integer.compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
