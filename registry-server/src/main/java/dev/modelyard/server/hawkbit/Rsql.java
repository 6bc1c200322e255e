package dev.modelyard.server.hawkbit;

import dev.modelyard.server.http.ApiException;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of hawkBit's FIQL/RSQL query language ({@code q}) evaluated here: comparisons
 * {@code field==value} and {@code field!=value}, where {@code *} in the value matches any text,
 * joined by {@code ;} or {@code and} (all must hold). OR, parentheses and the other operators are
 * refused with 400 rather than half-evaluated.
 */
final class Rsql {

    static final Map<String, String> TARGET_FIELDS = Map.of(
            "controllerId", "controllerId", "id", "controllerId", "name", "name", "description", "description",
            "updateStatus", "status", "createdAt", "createdAt", "lastModifiedAt", "updatedAt");
    static final Map<String, String> ACTION_FIELDS = Map.of("id", "id", "status", "status", "createdAt", "createdAt",
            "lastModifiedAt", "updatedAt");

    record Where(String jpql, Map<String, Object> params) {
    }

    private Rsql() {
    }

    static Where parse(String q, Map<String, String> fields) {
        if (q == null || q.isBlank()) return new Where("", Map.of());
        StringBuilder jpql = new StringBuilder();
        Map<String, Object> params = new TreeMap<>();
        int i = 0;
        for (String term : q.strip().split(";|\\s+and\\s+")) {
            if (term.contains(",") || term.contains("(") || term.contains(" or ")) {
                throw ApiException.badRequest("q: '" + q + "': only comparisons joined by ';' (and) are supported here");
            }
            boolean not = term.contains("!=");
            String[] fv = term.split(not ? "!=" : "==", 2);
            if (fv.length != 2 || fv[0].isBlank()) {
                throw ApiException.badRequest("q: '" + term + "' must be field==value or field!=value");
            }
            String name = fv[0].strip();
            String field = fields.get(name);
            if (field == null) {
                throw ApiException.badRequest("q: field '" + name + "' is not one of " + new TreeSet<>(fields.keySet()));
            }
            String value = unquote(fv[1].strip());
            String param = "q" + i++;
            if (field.equals("status")) {
                jpql.append(" and str(status) ").append(not ? "<>" : "=").append(" :").append(param);
                params.put(param, value.toUpperCase(java.util.Locale.ROOT));
            } else if (value.contains("*")) {
                jpql.append(" and ").append(not ? "not " : "").append("lower(").append(field).append(") like :").append(param)
                        .append(" escape '\\'");
                params.put(param, value.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                        .replace("_", "\\_").replace('*', '%'));
            } else {
                jpql.append(" and lower(").append(field).append(") ").append(not ? "<>" : "=").append(" :").append(param);
                params.put(param, value.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return new Where(jpql.toString(), params);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

}
