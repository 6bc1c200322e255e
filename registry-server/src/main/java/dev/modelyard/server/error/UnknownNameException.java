package dev.modelyard.server.error;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A request named a body field or query parameter the operation does not take. Refused rather
 * than ignored, so a typo is never stored silently; the answer lists the names that are taken and
 * suggests the closest one.
 */
public final class UnknownNameException extends DomainException {

    private final String name;

    private UnknownNameException(ErrorCode code, String what, String name, Collection<String> accepted) {
        super(code, describe(what, name, accepted),
                code == ErrorCode.UNKNOWN_FIELD ? name : null, code == ErrorCode.UNKNOWN_FIELD ? null : name,
                accepted.stream().filter(Objects::nonNull).distinct().sorted().toList());
        this.name = name;
    }

    /** @param path the field's JSON path in the request body, e.g. {@code selfTest.cases[0].inptus} */
    public static UnknownNameException field(String path, Collection<String> accepted) {
        return new UnknownNameException(ErrorCode.UNKNOWN_FIELD, "field", path, accepted);
    }

    public static UnknownNameException queryParameter(String name, Collection<String> accepted) {
        return new UnknownNameException(ErrorCode.UNKNOWN_QUERY_PARAMETER, "query parameter", name, accepted);
    }

    /**
     * The unknown field Jackson found while binding a body (or a part of one found at
     * {@code prefix}, e.g. {@code ioSignature} of a merge patch), with the fields the bound type has.
     */
    public static UnknownNameException field(String prefix, UnrecognizedPropertyException e) {
        StringBuilder path = new StringBuilder(prefix == null ? "" : prefix);
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        Collection<Object> known = e.getKnownPropertyIds() == null ? List.of() : e.getKnownPropertyIds();
        return field(path.toString(), known.stream().map(String::valueOf).toList());
    }

    /** The unknown field's JSON path or the unknown query parameter's name. */
    public String name() {
        return name;
    }

    private static String describe(String what, String name, Collection<String> accepted) {
        List<String> names = accepted.stream().filter(Objects::nonNull).distinct().sorted().toList();
        String leaf = name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf(']')) + 1);
        String suggestion = closest(leaf, names);
        String prefix = name.substring(0, name.length() - leaf.length());
        return "unknown " + what + " '" + name + "'"
                + (suggestion == null ? "" : " (did you mean '" + prefix + suggestion + "'?)")
                + (names.isEmpty() ? "; this operation takes none" : "; accepted: " + String.join(", ", names));
    }

    /** The accepted name within a few typing mistakes of {@code name}, or null. */
    static String closest(String name, List<String> accepted) {
        String best = null;
        int bestDistance = Math.max(1, name.length() / 3) + 1;
        for (String candidate : accepted) {
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Edit distance counting a swap of two neighbouring letters as one edit (the commonest typo). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
