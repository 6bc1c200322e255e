package dev.modelyard.server.hawkbit;

import dev.modelyard.server.device.DeviceStatus;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of hawkBit's FIQL/RSQL query language ({@code q}) evaluated here: comparisons
 * {@code field==value} and {@code field!=value}, where {@code *} in a text value matches any text
 * (times are epoch milliseconds, {@code updateStatus} one of the device statuses), joined by
 * {@code ;} or {@code and} (all must hold). OR, parentheses and the other operators are refused with 400 rather than half-evaluated.
 */
final class Rsql {

    static final Map<String, String> TARGET_FIELDS = Map.of(
            "controllerId", "controllerId", "id", "controllerId", "name", "name", "description", "description",
            "updateStatus", "status", "createdAt", "createdAt", "lastModifiedAt", "updatedAt");
    static final Map<String, String> ACTION_FIELDS = Map.of("id", "id", "status", "status", "createdAt", "createdAt",
            "lastModifiedAt", "updatedAt");

    /** Fields holding times, compared as hawkBit's epoch milliseconds rather than as text. */
    private static final Set<String> TIME_FIELDS = Set.of("createdAt", "updatedAt");

    record Where(String jpql, Map<String, Object> params) {
    }

    private Rsql() {
    }

    /** The where clause of conditions each written as {@code " and <condition>"}; empty for none. */
    static String whereClause(CharSequence conditions) {
        return conditions.isEmpty() ? "" : " where " + conditions.toString().substring(" and ".length());
    }

    static Where parse(String q, Map<String, String> fields) {
        if (q == null || q.isBlank()) return new Where("", Map.of());
        StringBuilder jpql = new StringBuilder();
        Map<String, Object> params = new TreeMap<>();
        int i = 0;
        for (String term : q.strip().split(";|\\s+and\\s+")) {
            if (term.contains(",") || term.contains("(") || term.contains(" or ")) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: '" + q + "': only comparisons joined by ';' (and) are supported here");
            }
            int eq = term.indexOf("=="), ne = term.indexOf("!=");
            boolean not = ne >= 0 && (eq < 0 || ne < eq);
            String[] fv = term.split(not ? "!=" : "==", 2);
            if (fv.length != 2 || fv[0].isBlank()) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: '" + term + "' must be field==value or field!=value");
            }
            String name = fv[0].strip();
            String field = fields.get(name);
            if (field == null) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: field '" + name + "' is not one of " + new TreeSet<>(fields.keySet()));
            }
            String raw = fv[1].strip();
            if (!quoted(raw) && (raw.contains("==") || raw.contains("!="))) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: '" + term + "' must be one field==value or field!=value (quote a value that holds == or !=)");
            }
            String value = unquote(raw);
            String param = "q" + i++;
            if (field.equals("status")) {
                jpql.append(" and str(status) ").append(not ? "<>" : "=").append(" :").append(param);
                params.put(param, status(name, value));
            } else if (TIME_FIELDS.contains(field)) {
                // hawkBit's times are epoch milliseconds; ours are finer, so == means "within that millisecond".
                long millis = epochMillis(name, value);
                jpql.append(" and ").append(not ? "not " : "").append("(").append(field).append(" >= :").append(param)
                        .append("from and ").append(field).append(" < :").append(param).append("to)");
                params.put(param + "from", Instant.ofEpochMilli(millis));
                params.put(param + "to", Instant.ofEpochMilli(millis).plusMillis(1));
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

    private static boolean quoted(String v) {
        return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"));
    }

    private static String unquote(String v) {
        return quoted(v) ? v.substring(1, v.length() - 1) : v;
    }

    /** A status name the column can hold; anything else would silently match nothing. */
    private static String status(String name, String value) {
        for (DeviceStatus s : DeviceStatus.values()) {
            if (s.wireName().equalsIgnoreCase(value)) return s.name();
        }
        throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: " + name + ": '" + value + "' is not one of "
                + Arrays.stream(DeviceStatus.values()).map(DeviceStatus::wireName).toList());
    }

    /** Years 1 to 9999: what hawkBit clients send, and well inside what PostgreSQL can store. */
    private static final long FIRST_MILLIS = -62135596800000L, LAST_MILLIS = 253402300799999L;

    private static long epochMillis(String name, String value) {
        try {
            long millis = Long.parseLong(value);
            if (millis >= FIRST_MILLIS && millis <= LAST_MILLIS) return millis;
        } catch (NumberFormatException e) {
            // refused below, as a value out of range is
        }
        throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "q", "q: " + name + ": '" + value
                + "' must be a time in milliseconds since 1970, years 1 to 9999 (no wildcards)");
    }

}
