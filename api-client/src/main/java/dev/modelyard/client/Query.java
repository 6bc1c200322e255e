package dev.modelyard.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** A path with query parameters; parameters given as null are left out. */
final class Query {

    private final StringBuilder path;
    private final StringJoiner params = new StringJoiner("&");

    private Query(String path) {
        this.path = new StringBuilder(path);
    }

    /** A path built from a template whose {@code {}} are filled by the encoded segments, in order. */
    static Query path(String template, Object... segments) {
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (Object segment : segments) {
            int at = template.indexOf("{}", from);
            if (at < 0) throw new IllegalArgumentException("more segments than placeholders in " + template);
            b.append(template, from, at).append(segment(String.valueOf(segment)));
            from = at + 2;
        }
        if (template.indexOf("{}", from) >= 0) throw new IllegalArgumentException("a segment is missing in " + template);
        return new Query(b.append(template.substring(from)).toString());
    }

    Query param(String name, Object value) {
        if (value != null) params.add(name + "=" + encode(String.valueOf(value)));
        return this;
    }

    Query page(Integer page, Integer size) {
        return param("page", page).param("size", size);
    }

    @Override
    public String toString() {
        return params.length() == 0 ? path.toString() : path + "?" + params;
    }

    /** One path segment: a model or file name may hold any character, so nothing is left to interpretation. */
    static String segment(String s) {
        if (s.isEmpty()) throw new IllegalArgumentException("an empty path segment");
        return encode(s);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
