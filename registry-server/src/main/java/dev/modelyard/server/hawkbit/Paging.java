package dev.modelyard.server.hawkbit;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.util.Locale;
import java.util.Map;

/**
 * hawkBit's paging and sorting parameters: {@code offset} (from 0), {@code limit} (1 to 500,
 * default 50) and {@code sort} ({@code field:ASC|DESC}, several separated by commas).
 */
record Paging(int offset, int limit, String sort) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    static Paging of(Integer offset, Integer limit, String sort) {
        int o = offset == null ? 0 : offset;
        int l = limit == null ? DEFAULT_LIMIT : limit;
        if (o < 0) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "offset", "offset: must be 0 or more");
        if (l < 1 || l > MAX_LIMIT) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "limit", "limit: must be between 1 and " + MAX_LIMIT);
        return new Paging(o, l, sort);
    }

    /** A JPQL order-by list from {@code sort}; {@code fields} maps hawkBit's names to entity fields. */
    String orderBy(Map<String, String> fields, String fallback) {
        if (sort == null || sort.isBlank()) return fallback;
        StringBuilder out = new StringBuilder();
        for (String part : sort.split(",")) {
            String[] fd = part.strip().split(":");
            if (fd.length != 2) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "sort", "sort: '" + part + "' must be field:ASC or field:DESC");
            String field = fields.get(fd[0].strip());
            if (field == null) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "sort", "sort: '" + fd[0] + "' is not one of " + new java.util.TreeSet<>(fields.keySet()));
            }
            String dir = fd[1].strip().toUpperCase(Locale.ROOT);
            if (!dir.equals("ASC") && !dir.equals("DESC")) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "sort", "sort: direction must be ASC or DESC");
            if (!out.isEmpty()) out.append(", ");
            out.append(field).append(' ').append(dir);
        }
        return out.toString();
    }
}
